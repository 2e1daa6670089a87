/** A live call (peer, running timer, Hang up), or how it ended. */

import type { Call } from '../api';
import { useApi, useReport } from '../context';
import { callEndText, formatDuration } from '../format';
import { useNow } from '../store';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

export function InCall({ call, me }: { call: Call; me: string | null }) {
  const api = useApi();
  const report = useReport();
  const name = call.peerName || call.peer;
  const titleId = `call-title-${call.id}`;
  const active = call.state === 'active';

  return (
    <div
      class={`card call-card incall state-${call.state}`}
      role="region"
      aria-labelledby={titleId}
      data-state={call.state}
    >
      <div class="call-head">
        <Avatar name={name} presence={active ? 'in_call' : undefined} />
        <div class="call-text">
          <h2 id={titleId} class="call-title">
            {active ? `In call with ${name}` : `Call with ${name} ended`}
          </h2>
          {active ? (
            <Timer since={call.since} />
          ) : (
            <p class="call-sub end-reason" role="status">
              {callEndText(call.endReason, call.endedBy, me, name)}
              {call.endedAt != null && ` · ${formatDuration(call.endedAt - call.since)}`}
            </p>
          )}
        </div>
      </div>
      <div class="actions">
        {call.meetingUrl && active && (
          <button type="button" class="btn" onClick={() => void api.openMeeting(call.id).catch(report)}>
            Open meeting
          </button>
        )}
        {active ? (
          <button type="button" class="btn danger" onClick={() => void api.hangUp(call.id).catch(report)}>
            <Icon name="phone-down" />
            <span>Hang up</span>
          </button>
        ) : (
          <button type="button" class="btn ghost" onClick={() => void api.dismiss(call.id).catch(report)}>
            Close
          </button>
        )}
      </div>
    </div>
  );
}

function Timer({ since }: { since: number }) {
  const now = useNow(1000);
  return (
    <p class="call-sub timer" role="timer" aria-label="Call duration">
      {formatDuration(now - since)}
    </p>
  );
}
