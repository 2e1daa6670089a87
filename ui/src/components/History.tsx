/** Calls in and out, newest first: outcome, time, duration; missed ones highlighted; call back. */

import { useEffect, useState } from 'preact/hooks';

import type { CallRecord } from '../api';
import { useApi, useReport } from '../context';
import { formatTime, outcomeText } from '../format';
import { Icon } from './Icon';

export function History({ missed }: { missed: number }) {
  const api = useApi();
  const report = useReport();
  const [records, setRecords] = useState<CallRecord[] | null>(null);

  useEffect(() => {
    let alive = true;
    let unsub: (() => void) | null = null;
    void api
      .on('history', (r) => {
        if (alive) setRecords(r);
      })
      .then((u) => {
        if (alive) unsub = u;
        else u();
      });
    api
      .getHistory()
      .then((r) => {
        if (alive) setRecords(r);
      })
      .catch((e: unknown) => {
        if (!alive) return;
        setRecords([]);
        report(e);
      });
    return () => {
      alive = false;
      unsub?.();
    };
  }, [api, report]);

  // Looking at the history is seeing the missed calls.
  useEffect(() => {
    if (missed > 0) void api.markMissedSeen().catch(report);
  }, [api, report, missed]);

  if (records === null) return <p class="empty" role="status">Loading history…</p>;
  if (records.length === 0) return <p class="empty">No calls yet.</p>;

  return (
    <ul class="history" aria-label="Call history">
      {records.map((r) => {
        const name = r.peerName || r.peer;
        return (
          <li key={r.id} class={`record${r.missed ? ' missed' : ''}`} data-missed={r.missed}>
            <span class={`dir dir-${r.direction}`} title={r.direction === 'incoming' ? 'Incoming' : 'Outgoing'}>
              <Icon name={r.direction === 'incoming' ? 'in' : 'out'} />
            </span>
            <div class="record-text">
              <span class="record-name">{name}</span>
              <span class="record-outcome">
                <span class="sr-only">{r.direction === 'incoming' ? 'Incoming, ' : 'Outgoing, '}</span>
                {outcomeText(r)}
              </span>
            </div>
            <time class="record-time" dateTime={new Date(r.startedAt).toISOString()}>
              {formatTime(r.startedAt)}
            </time>
            <button
              type="button"
              class="btn small"
              aria-label={`Call back ${name}`}
              onClick={() => void api.sendInvitation(r.peer).catch(report)}
            >
              <Icon name="phone" />
              <span>Call back</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
