/** An invitation I sent: calling → ringing → accepted / refused / canceled / failed. */

import type { OutgoingCall } from '../api';
import { useApi, useReport, useTone } from '../context';
import { outgoingTitle } from '../format';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

export function OutgoingDialog({ call, sounds }: { call: OutgoingCall; sounds: boolean }) {
  const api = useApi();
  const report = useReport();
  const live = call.state === 'calling' || call.state === 'ringing';
  const name = call.peerName || call.peer;
  useTone('ringback', sounds && call.state === 'ringing');

  const titleId = `out-title-${call.id}`;
  const descId = `out-desc-${call.id}`;
  return (
    <div
      class={`card call-card outgoing state-${call.state}`}
      role="dialog"
      aria-labelledby={titleId}
      aria-describedby={descId}
      data-state={call.state}
    >
      <div class="call-head">
        <Avatar name={name} />
        <div class="call-text">
          <h2 id={titleId} class="call-title" aria-live="polite">
            {outgoingTitle(call)}
          </h2>
          <p id={descId} class="call-sub">
            {subtitle(call)}
          </p>
        </div>
      </div>
      {call.response && <blockquote class="response">“{call.response}”</blockquote>}
      <div class="actions">
        {live ? (
          <button
            type="button"
            class="btn danger"
            onClick={() => void api.cancelInvitation(call.id).catch(report)}
          >
            <Icon name="phone-down" />
            <span>Cancel</span>
          </button>
        ) : (
          <>
            {(call.state === 'refused' || call.state === 'failed') && call.reason !== 'glare' && (
              <button
                type="button"
                class="btn"
                onClick={() => {
                  void api.dismiss(call.id).catch(report);
                  void api.sendInvitation(call.peer).catch(report);
                }}
              >
                Call again
              </button>
            )}
            <button type="button" class="btn ghost" onClick={() => void api.dismiss(call.id).catch(report)}>
              Close
            </button>
          </>
        )}
      </div>
    </div>
  );
}

function subtitle(call: OutgoingCall): string {
  switch (call.state) {
    case 'calling':
      return 'Waiting for their device…';
    case 'ringing':
      return 'It is ringing at their end.';
    case 'accepted':
      return 'Connecting the call…';
    case 'refused':
      return 'The call was refused.';
    case 'canceled':
      return 'You canceled the call.';
    case 'failed':
      return 'The call did not go through.';
  }
}
