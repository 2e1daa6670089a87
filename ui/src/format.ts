/** Words for what the backend reports: reasons, errors, durations and times. */

import type { AppError, CallEndReason, CallRecord, ConnectionState, Presence, OutgoingCall } from './api';

/** Readable text for a failed sign-in or a lost session. */
export function signInErrorText(err: AppError, serverUrl?: string | null): string {
  switch (err.code) {
    case 'bad_credentials':
      return 'Wrong user name or password.';
    case 'unreachable':
      return serverUrl
        ? `Can't reach the server at ${serverUrl}. Check the address and your network.`
        : "Can't reach the server. Check the address and your network.";
    case 'invalid_url':
      return 'The server address is not valid. It looks like wss://ringer.example.org.';
    case 'tls':
      return "The server's certificate could not be verified.";
    case 'timeout':
      return 'The server did not answer in time. Try again.';
    case 'token_expired':
      return 'Your session has expired. Please sign in again.';
    case 'token_revoked':
      return 'Your session was ended (signed out elsewhere or revoked). Please sign in again.';
    case 'account_disabled':
      return 'This account is disabled. Ask your administrator.';
    case 'rate_limited':
      return 'Too many sign-in attempts. Wait a minute and try again.';
    case 'too_many_devices':
      return 'You are signed in on too many devices. Sign out on one of them first.';
    case 'invalid_argument':
      return err.message ? `Invalid input: ${err.message}` : 'Invalid user name or password format.';
    case 'unsupported':
      return 'This server speaks a different protocol version.';
    case 'keyring':
      return `Could not use the system keyring: ${err.message}`;
    default:
      return err.message || 'Sign-in failed.';
  }
}

/** Readable text for an error no form is waiting for (toasts). */
export function errorText(err: AppError): string {
  switch (err.code) {
    case 'accept_failure':
      return 'The call could not be connected: the caller did not confirm.';
    case 'already_end':
      return 'That call has already ended.';
    case 'not_logged_in':
    case 'not_signed_in':
      return 'You are not signed in.';
    case 'rate_limited':
      return 'Too many requests. Try again in a moment.';
    case 'forbidden':
      return 'That is not allowed.';
    case 'invalid_argument':
      return err.message ? `Invalid input: ${err.message}` : 'Invalid input.';
    default:
      return err.message || 'Something went wrong.';
  }
}

/** Headline for an outgoing invitation's state, e.g. "Calling Bob…" or "Bob is offline". */
export function outgoingTitle(call: OutgoingCall): string {
  const name = call.peerName || call.peer;
  switch (call.state) {
    case 'calling':
      return `Calling ${name}…`;
    case 'ringing':
      return `Ringing ${name}…`;
    case 'accepted':
      return `${name} accepted`;
    case 'refused':
      switch (call.reason) {
        case 'busy':
          return `${name} is busy`;
        case 'dnd':
          return `${name} does not want to be disturbed`;
        default:
          return `${name} declined`;
      }
    case 'canceled':
      return 'Call canceled';
    case 'failed':
      // A refused invite's reason is a stand-in; the server's error says what happened.
      return call.error ? errorText(call.error) : failureText(call.reason, name);
  }
}

/** Words for a FailureReason, from the caller's side. */
export function failureText(reason: string | null | undefined, name: string): string {
  switch (reason) {
    case 'peer_offline':
      return `${name} is offline`;
    case 'peer_no_response':
      return `${name}'s devices did not respond`;
    case 'invitation_expire':
      return 'No answer';
    case 'peer_unknown':
      return `${name} has no account on this server`;
    case 'not_logged_in':
      return 'You are not signed in';
    case 'accept_failure':
      return 'The call could not be connected';
    case 'glare':
      return `You called each other: joining ${name}'s call`;
    case 'server_restart':
      return 'The server restarted';
    case 'busy':
      return `${name} is busy`;
    case 'dnd':
      return `${name} does not want to be disturbed`;
    case 'declined':
      return `${name} declined`;
    default:
      return reason ? `Call failed (${reason})` : 'Call failed';
  }
}

/** Words for why a call ended. */
export function callEndText(
  reason: CallEndReason | null | undefined,
  endedBy: string | null | undefined,
  me: string | null | undefined,
  peerName: string,
): string {
  switch (reason) {
    case 'hangup':
      if (endedBy && me && endedBy === me) return 'You hung up';
      return `${peerName} hung up`;
    case 'connection_lost':
      return 'The connection was lost';
    case 'server_restart':
      return 'The server restarted';
    case null:
    case undefined:
      return 'Call ended';
  }
}

/** Label for a presence value. */
export function presenceText(p: Presence): string {
  switch (p) {
    case 'online':
      return 'Available';
    case 'offline':
      return 'Offline';
    case 'dnd':
      return 'Do not disturb';
    case 'in_call':
      return 'In a call';
  }
}

/** Label for a connection state. */
export function connectionText(s: ConnectionState): string {
  switch (s) {
    case 'connected':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'disconnected':
      return 'Disconnected';
    case 'aborted':
      return 'Connection stopped';
  }
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Short local date and time of an epoch-ms instant. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return d.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Words for a history record's outcome. */
export function outcomeText(r: CallRecord): string {
  const name = r.peerName || r.peer;
  if (r.missed) {
    // Refused by the server without ringing: say why it never rang.
    const dnd = r.direction === 'incoming' && r.outcome === 'refused' && r.reason === 'dnd';
    return dnd ? 'Missed · Do not disturb' : 'Missed';
  }
  switch (r.outcome) {
    case 'answered':
      return r.answeredAt != null ? `Answered · ${formatDuration(r.endedAt - r.answeredAt)}` : 'Answered';
    case 'refused':
      if (r.direction === 'incoming') return 'Declined';
      return failureText(r.reason ?? 'declined', name);
    case 'canceled':
      return r.direction === 'outgoing' ? 'Canceled' : 'Canceled by caller';
    case 'failed':
      return r.direction === 'outgoing' ? failureText(r.reason, name) : 'Not answered';
  }
}
