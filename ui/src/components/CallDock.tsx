/** The right-hand column holding live calls and outgoing invitations; absent when empty. */

import type { Call, OutgoingCall } from '../api';
import { InCall } from './InCall';
import { OutgoingDialog } from './OutgoingDialog';

export function CallDock(props: { outgoing: OutgoingCall[]; calls: Call[]; me: string | null; sounds: boolean }) {
  if (props.outgoing.length === 0 && props.calls.length === 0) return null;
  return (
    <aside class="dock" aria-label="Calls">
      {props.calls.map((c) => (
        <InCall key={c.id} call={c} me={props.me} />
      ))}
      {props.outgoing.map((o) => (
        <OutgoingDialog key={o.id} call={o} sounds={props.sounds} />
      ))}
    </aside>
  );
}
