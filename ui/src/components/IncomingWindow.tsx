/**
 * The small always-on-top popup (`index.html?view=incoming&id=…`): one incoming invitation,
 * nothing else. The backend opens it without focus and closes it when the invitation ends.
 */

import { useApi } from '../context';
import { useAppState } from '../store';
import { IncomingDialog } from './IncomingDialog';

export function IncomingWindow({ id }: { id: string }) {
  const api = useApi();
  const { state, error } = useAppState(api);

  let body;
  if (error) body = <p class="popup-note" role="alert">{error.message}</p>;
  else if (!state) body = <p class="popup-note" role="status">…</p>;
  else {
    const inv = state.incoming.find((i) => i.id === id);
    body = inv ? (
      <IncomingDialog key={inv.id} invitation={inv} sounds={state.settings.sounds} standalone />
    ) : (
      <p class="popup-note" role="status">
        This call has ended.
      </p>
    );
  }
  return <main class="popup">{body}</main>;
}
