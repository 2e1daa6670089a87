/** Always-visible header: who I am, my status switch, the connection state, sign out. */

import { useState } from 'preact/hooks';

import type { Connection, Session, Status } from '../api';
import { useApi } from '../context';
import { connectionText } from '../format';
import { Avatar } from './Avatar';
import { Logo } from './Logo';

export function Header({ session, connection }: { session: Session; connection: Connection }) {
  const api = useApi();
  const [pending, setPending] = useState(false);
  const status: Status = session.status ?? 'available';
  const name = session.displayName || session.uid || '';

  const toggle = async (): Promise<void> => {
    setPending(true);
    try {
      await api.setStatus(status === 'dnd' ? 'available' : 'dnd');
    } catch {
      // The backend reports the failure on the `error` event; the switch keeps the real state.
    } finally {
      setPending(false);
    }
  };

  return (
    <header class="header">
      <div class="brand">
        <Logo size={28} />
        <span class="brand-name">Ringer</span>
      </div>
      <div class="me">
        <Avatar name={name} presence={status === 'dnd' ? 'dnd' : 'online'} />
        <div class="me-text">
          <span class="me-name">{name}</span>
          <span class="me-status">{status === 'dnd' ? 'Do not disturb' : 'Available'}</span>
        </div>
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={status === 'dnd'}
          disabled={pending}
          onClick={toggle}
        >
          <span class="switch-track" aria-hidden="true">
            <span class="switch-thumb" />
          </span>
          <span>Do not disturb</span>
        </button>
      </div>
      <div class="header-end">
        <span class={`conn conn-${connection.state}`} data-testid="connection-state">
          <span class="dot" aria-hidden="true" />
          {connectionText(connection.state)}
        </span>
        <button type="button" class="btn ghost small" onClick={() => void api.signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
