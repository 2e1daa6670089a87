/** A banner under the header whenever the connection is not up. */

import type { Connection } from '../api';
import { useNow } from '../store';

export function ConnectionBanner({ connection }: { connection: Connection }) {
  if (connection.state === 'connected') return null;
  return (
    <div class={`banner banner-${connection.state}`} role="status" aria-live="polite">
      <BannerText connection={connection} />
    </div>
  );
}

function BannerText({ connection }: { connection: Connection }) {
  const now = useNow(1000);
  switch (connection.state) {
    case 'reconnecting': {
      const secs = connection.retryAt ? Math.ceil((connection.retryAt - now) / 1000) : 0;
      return (
        <span>
          Connection lost. Reconnecting…{secs > 0 ? ` (next try in ${secs} s)` : ''}
        </span>
      );
    }
    case 'connecting':
      return <span>Connecting to the server…</span>;
    case 'disconnected':
      return <span>Disconnected from the server.</span>;
    case 'aborted':
      return <span>The connection was stopped{connection.reason ? ` (${connection.reason})` : ''}.</span>;
    case 'connected':
      return null;
  }
}
