/**
 * The one door between the UI and the Rust backend: every Tauri command and event the views use,
 * with the types both sides agree on. docs/app-contract.md is the prose version of this file; the
 * Rust side mirrors each interface as a serde struct with `rename_all = "camelCase"` (and each
 * string union as an enum with `rename_all = "snake_case"`).
 *
 * Views never import `@tauri-apps/api` themselves: they receive an `Api` through context, so tests
 * hand them a fake and the browser demo hands them an in-memory backend.
 */

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

// ---------------------------------------------------------------------------------------------
// Vocabulary (mirrors ringer-proto's vocab.rs, snake_case on the wire)
// ---------------------------------------------------------------------------------------------

/** A uid's presence, aggregated over its devices. */
export type Presence = 'online' | 'offline' | 'dnd' | 'in_call';

/** The status a user sets for themself. */
export type Status = 'available' | 'dnd';

/** Why the callee refused (caller side). */
export type RefuseReason = 'declined' | 'busy' | 'dnd';

/** Why an invitation failed, on either side. */
export type FailureReason =
  | 'peer_offline'
  | 'peer_no_response'
  | 'invitation_expire'
  | 'peer_unknown'
  | 'not_logged_in'
  | 'accept_failure'
  | 'glare'
  | 'server_restart';

/** Why a live call ended. */
export type CallEndReason = 'hangup' | 'connection_lost' | 'server_restart';

/** Agora's connection states. */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'aborted';

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

/**
 * An error as the backend reports it: the rejection value of every command, and the payload of
 * the `error` event. `code` is a ringer-proto ErrorCode (`bad_credentials`, `token_expired`,
 * `already_end`, …) or one of the app's own (`unreachable`, `invalid_url`, `tls`, `timeout`,
 * `keyring`, `not_signed_in`, `protocol`, `internal`); `message` is readable English the UI shows
 * when it has no better wording for the code.
 */
export interface AppError {
  code: string;
  message: string;
}

/** Where the app stands with its account. */
export type SessionState =
  /** The backend has not decided yet (e.g. auto sign-in with the stored token is running). */
  | 'starting'
  | 'signed_out'
  | 'signing_in'
  | 'signed_in';

/** Payload of the `session` event; re-sent whole on every change. */
export interface Session {
  state: SessionState;
  /** The server in use, or when signed out the last one used (to prefill the form). */
  serverUrl?: string | null;
  /** Own uid, or when signed out the last one used. */
  uid?: string | null;
  /** Own display name, when signed in. */
  displayName?: string | null;
  /** Own status, when signed in. */
  status?: Status | null;
  /**
   * Why the session is `signed_out`, if it did not end by the user's own sign-out: the failed
   * sign-in (`bad_credentials`, `unreachable`, …) or a lost session (`token_expired`,
   * `token_revoked`, `account_disabled`). Cleared on the next `signing_in`.
   */
  error?: AppError | null;
}

/** Payload of the `connection` event. */
export interface Connection {
  state: ConnectionState;
  /** Agora-style reason of the last change: `login`, `login_success`, `interrupted`, … */
  reason?: string | null;
  /** Local epoch ms of the next reconnect attempt, while `reconnecting`. */
  retryAt?: number | null;
}

/** One account in the team directory. */
export interface DirectoryEntry {
  uid: string;
  displayName: string;
  presence: Presence;
}

/** Payload of the `presence` event: one uid's presence changed. */
export interface PresenceChange {
  uid: string;
  presence: Presence;
}

/** State of an invitation this device sent, as the caller sees it. */
export type OutgoingState =
  /** Sent, no callee device has acknowledged yet (SentToRemote). */
  | 'calling'
  /** A callee device acknowledged: it rings at the peer (ReceivedByRemote). */
  | 'ringing'
  | 'accepted'
  | 'refused'
  | 'canceled'
  | 'failed';

/** An invitation this device sent. */
export interface OutgoingCall {
  id: string;
  peer: string;
  peerName: string;
  state: OutgoingState;
  /** For `refused`: a RefuseReason; for `failed`: a FailureReason. */
  reason?: RefuseReason | FailureReason | null;
  /**
   * For `failed`: the server's error when it refused the invitation itself (`rate_limited`,
   * `internal`, …). `reason` is then only the protocol's stand-in (`peer_unknown`) and does not
   * mean the callee has no account; this is what to tell the user.
   */
  error?: AppError | null;
  /** The callee's response text, for `accepted` and `refused`. */
  response?: string | null;
  content?: string | null;
}

/** State of an invitation ringing at this device. */
export type IncomingState =
  /** Ringing here (InvitationReceived). */
  | 'ringing'
  /** This device accepted; waiting for the caller's confirmation (AcceptSentToLocal). */
  | 'accepting';

/** An invitation for this user that rings at this device. Removed from the list when it ends. */
export interface IncomingCall {
  id: string;
  caller: string;
  callerName: string;
  content?: string | null;
  state: IncomingState;
  /** The user pressed Silence (in any window): the ringtone stops, the dialog stays. */
  silenced: boolean;
  /**
   * The backend shows this invitation in the separate always-on-top incoming window. The main
   * window then neither shows the dialog nor plays the ringtone: the popup does.
   */
  popup: boolean;
  /** Local epoch ms when it started ringing here. */
  receivedAt: number;
}

/** A call this device is (or was) in. */
export interface Call {
  id: string;
  peer: string;
  peerName: string;
  direction: 'outgoing' | 'incoming';
  state: 'active' | 'ended';
  /** Local epoch ms when the call became live on this device (drives the timer). */
  since: number;
  /** Local epoch ms when it ended. */
  endedAt?: number | null;
  endReason?: CallEndReason | null;
  /** Uid of the party that hung up, for `hangup`. */
  endedBy?: string | null;
  channelId?: string | null;
  /** The meeting link made from the template, when one is configured. */
  meetingUrl?: string | null;
}

/** Payload of the `missed` event. */
export interface Missed {
  /** Missed calls not yet seen by the user (badge). */
  count: number;
}

/** One call record of the user's history (server-kept, newest first). */
export interface CallRecord {
  id: string;
  peer: string;
  /** The peer's display name when the backend knows it. */
  peerName?: string | null;
  direction: 'outgoing' | 'incoming';
  outcome: 'answered' | 'refused' | 'canceled' | 'failed';
  /** Refuse/failure reason, or for answered calls the end reason. */
  reason?: string | null;
  missed: boolean;
  /** Epoch ms. */
  startedAt: number;
  answeredAt?: number | null;
  endedAt: number;
}

/** The user's preferences, stored by the backend. */
export interface Settings {
  sounds: boolean;
  callWaiting: boolean;
  /** e.g. `https://meet.example.org/{channel}`; empty for none. */
  meetingLinkTemplate: string;
  startAtLogin: boolean;
  /** Uids starred in the team list. */
  favourites: string[];
}

/** The fields of Settings `update_settings` may change (favourites go through `set_favourite`). */
export type SettingsPatch = Partial<Omit<Settings, 'favourites'>>;

/** Result of `get_state`: everything a freshly opened window needs. */
export interface AppState {
  session: Session;
  connection: Connection;
  directory: DirectoryEntry[];
  outgoing: OutgoingCall[];
  incoming: IncomingCall[];
  calls: Call[];
  missed: Missed;
  settings: Settings;
}

/** Every event the backend emits (to all windows), by name, with its payload. */
export interface EventMap {
  session: Session;
  connection: Connection;
  /** The whole directory (on sign-in and when accounts change). */
  directory: DirectoryEntry[];
  presence: PresenceChange;
  /** The whole list of this device's outgoing invitations. */
  outgoing: OutgoingCall[];
  /** The whole list of invitations ringing here. */
  incoming: IncomingCall[];
  /** The whole list of calls (live, and ended ones not yet dismissed). */
  calls: Call[];
  /** The whole history, newest first, after it changed. */
  history: CallRecord[];
  missed: Missed;
  settings: Settings;
  /** Something failed that no command is waiting for (e.g. `accept_failure`, `already_end`). */
  error: AppError;
}

export type EventName = keyof EventMap;

export const EVENT_NAMES: readonly EventName[] = [
  'session',
  'connection',
  'directory',
  'presence',
  'outgoing',
  'incoming',
  'calls',
  'history',
  'missed',
  'settings',
  'error',
];

/** Arguments of `sign_in`. */
export interface SignInArgs {
  serverUrl: string;
  uid: string;
  password: string;
}

/** Everything the UI can ask of the backend. Every method rejects with an AppError. */
export interface Api {
  /** `get_state` */
  getState(): Promise<AppState>;
  /** `sign_in { serverUrl, uid, password }`: resolves once signed in. */
  signIn(args: SignInArgs): Promise<void>;
  /** `sign_out`: revokes the token and forgets it. */
  signOut(): Promise<void>;
  /** `set_status { status }` */
  setStatus(status: Status): Promise<void>;
  /** `set_favourite { uid, favourite }` */
  setFavourite(uid: string, favourite: boolean): Promise<void>;
  /** `update_settings { patch }` */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  /** `send_invitation { uid, content }`: the backend picks id and channel. */
  sendInvitation(uid: string, content?: string): Promise<OutgoingCall>;
  /** `cancel_invitation { id }` */
  cancelInvitation(id: string): Promise<void>;
  /** `accept_invitation { id }` */
  acceptInvitation(id: string): Promise<void>;
  /** `refuse_invitation { id }` (reason `declined`) */
  refuseInvitation(id: string): Promise<void>;
  /** `silence_invitation { id }`: stops the ringtone everywhere, keeps ringing the dialog. */
  silenceInvitation(id: string): Promise<void>;
  /** `hang_up { id }` */
  hangUp(id: string): Promise<void>;
  /** `dismiss { id }`: forget a finished outgoing invitation or an ended call. */
  dismiss(id: string): Promise<void>;
  /** `open_meeting { id }`: open the call's meeting link in the browser. */
  openMeeting(id: string): Promise<void>;
  /** `get_history { limit }` */
  getHistory(limit?: number): Promise<CallRecord[]>;
  /** `mark_missed_seen`: clears the missed badge. */
  markMissedSeen(): Promise<void>;
  /** Subscribes to one backend event; resolves to the unsubscribe function. */
  on<K extends EventName>(event: K, handler: (payload: EventMap[K]) => void): Promise<() => void>;
}

/** Command names as the Rust `#[tauri::command]` functions are named. */
export const COMMANDS = {
  getState: 'get_state',
  signIn: 'sign_in',
  signOut: 'sign_out',
  setStatus: 'set_status',
  setFavourite: 'set_favourite',
  updateSettings: 'update_settings',
  sendInvitation: 'send_invitation',
  cancelInvitation: 'cancel_invitation',
  acceptInvitation: 'accept_invitation',
  refuseInvitation: 'refuse_invitation',
  silenceInvitation: 'silence_invitation',
  hangUp: 'hang_up',
  dismiss: 'dismiss',
  openMeeting: 'open_meeting',
  getHistory: 'get_history',
  markMissedSeen: 'mark_missed_seen',
} as const;

// ---------------------------------------------------------------------------------------------
// The Tauri implementation
// ---------------------------------------------------------------------------------------------

/** Turns whatever a command rejected with into an AppError. */
export function toAppError(err: unknown): AppError {
  if (typeof err === 'object' && err !== null) {
    const e = err as Record<string, unknown>;
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      return { code: e.code, message: e.message };
    }
    if (typeof e.message === 'string') return { code: 'internal', message: e.message };
  }
  if (typeof err === 'string') return { code: 'internal', message: err };
  return { code: 'internal', message: 'something went wrong' };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toAppError(err);
  }
}

/** The real backend, over Tauri IPC. */
export const tauriApi: Api = {
  getState: () => call<AppState>(COMMANDS.getState),
  signIn: ({ serverUrl, uid, password }) => call(COMMANDS.signIn, { serverUrl, uid, password }),
  signOut: () => call(COMMANDS.signOut),
  setStatus: (status) => call(COMMANDS.setStatus, { status }),
  setFavourite: (uid, favourite) => call(COMMANDS.setFavourite, { uid, favourite }),
  updateSettings: (patch) => call<Settings>(COMMANDS.updateSettings, { patch }),
  sendInvitation: (uid, content) =>
    call<OutgoingCall>(COMMANDS.sendInvitation, { uid, content: content ?? null }),
  cancelInvitation: (id) => call(COMMANDS.cancelInvitation, { id }),
  acceptInvitation: (id) => call(COMMANDS.acceptInvitation, { id }),
  refuseInvitation: (id) => call(COMMANDS.refuseInvitation, { id }),
  silenceInvitation: (id) => call(COMMANDS.silenceInvitation, { id }),
  hangUp: (id) => call(COMMANDS.hangUp, { id }),
  dismiss: (id) => call(COMMANDS.dismiss, { id }),
  openMeeting: (id) => call(COMMANDS.openMeeting, { id }),
  getHistory: (limit) => call<CallRecord[]>(COMMANDS.getHistory, { limit: limit ?? null }),
  markMissedSeen: () => call(COMMANDS.markMissedSeen),
  on: (event, handler) => listen(event, (e) => handler(e.payload as EventMap[typeof event])),
};

/** True inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * The Api for this page: Tauri's inside the app; in a plain browser, the in-memory demo backend
 * when running `vite dev` or when the URL has `?demo` (for development and screenshots).
 */
export async function createApi(search: string = window.location.search): Promise<Api> {
  if (inTauri()) return tauriApi;
  const params = new URLSearchParams(search);
  if (import.meta.env.DEV || params.has('demo')) {
    const { createDemoApi } = await import('./demo/demoApi');
    return createDemoApi(params.get('scene') ?? undefined);
  }
  throw { code: 'internal', message: 'Ringer must run inside its desktop app' } satisfies AppError;
}
