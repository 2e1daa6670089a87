/**
 * An in-memory stand-in for the Rust backend, for `vite dev` and screenshots in a plain browser
 * (`?demo`, optionally `&scene=signin|team|outgoing|incoming|call|ended|history|settings|reconnecting`
 * and `&view=incoming&id=demo-in`). It plays plausible scripts; it is not the product's logic.
 */

import type {
  Api,
  AppError,
  AppState,
  CallRecord,
  DirectoryEntry,
  EventMap,
  EventName,
  OutgoingCall,
  Settings,
} from '../api';

const PEOPLE: DirectoryEntry[] = [
  { uid: 'alice', displayName: 'Alice Martin', presence: 'online' },
  { uid: 'bob', displayName: 'Bob Keller', presence: 'offline' },
  { uid: 'carol', displayName: 'Carol Nguyen', presence: 'in_call' },
  { uid: 'dan', displayName: 'Dan Okafor', presence: 'dnd' },
  { uid: 'erin', displayName: 'Erin Walsh', presence: 'online' },
  { uid: 'farid', displayName: 'Farid Haddad', presence: 'online' },
  { uid: 'grace', displayName: 'Grace Liu', presence: 'offline' },
  { uid: 'me', displayName: 'Sam Rivera', presence: 'online' },
];

const MIN = 60_000;

function demoHistory(now: number): CallRecord[] {
  return [
    { id: 'h1', peer: 'alice', peerName: 'Alice Martin', direction: 'incoming', outcome: 'canceled', missed: true, startedAt: now - 12 * MIN, endedAt: now - 11 * MIN },
    { id: 'h2', peer: 'erin', peerName: 'Erin Walsh', direction: 'outgoing', outcome: 'answered', reason: 'hangup', missed: false, startedAt: now - 95 * MIN, answeredAt: now - 94 * MIN, endedAt: now - 81 * MIN },
    { id: 'h3', peer: 'bob', peerName: 'Bob Keller', direction: 'outgoing', outcome: 'failed', reason: 'peer_offline', missed: false, startedAt: now - 180 * MIN, endedAt: now - 179 * MIN },
    { id: 'h4', peer: 'dan', peerName: 'Dan Okafor', direction: 'incoming', outcome: 'failed', reason: 'invitation_expire', missed: true, startedAt: now - 26 * 60 * MIN, endedAt: now - 26 * 60 * MIN + MIN },
    { id: 'h5', peer: 'farid', peerName: 'Farid Haddad', direction: 'incoming', outcome: 'answered', reason: 'hangup', missed: false, startedAt: now - 28 * 60 * MIN, answeredAt: now - 28 * 60 * MIN + 5000, endedAt: now - 27 * 60 * MIN },
    { id: 'h6', peer: 'carol', peerName: 'Carol Nguyen', direction: 'outgoing', outcome: 'refused', reason: 'busy', missed: false, startedAt: now - 50 * 60 * MIN, endedAt: now - 50 * 60 * MIN + 2000 },
  ];
}

/** Builds the demo backend, optionally already in one scene. */
export function createDemoApi(scene?: string): Api {
  const now = Date.now();
  const settings: Settings = {
    sounds: true,
    callWaiting: false,
    meetingLinkTemplate: 'https://meet.example.org/{channel}',
    startAtLogin: true,
    favourites: ['erin', 'carol'],
  };
  const state: AppState = {
    session: { state: 'starting', serverUrl: 'wss://ringer.example.org', uid: 'me' },
    connection: { state: 'connecting', reason: 'login' },
    directory: PEOPLE.map((p) => ({ ...p })),
    outgoing: [],
    incoming: [],
    calls: [],
    missed: { count: 2 },
    settings,
  };
  const history = demoHistory(now);
  const handlers = new Map<EventName, Set<(p: unknown) => void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let seq = 0;

  const emit = <K extends EventName>(name: K, payload: EventMap[K]): void => {
    handlers.get(name)?.forEach((h) => h(payload));
  };
  const later = (ms: number, f: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      f();
    }, ms);
    timers.add(t);
  };
  const signedIn = (): void => {
    state.session = {
      state: 'signed_in',
      serverUrl: state.session.serverUrl ?? null,
      uid: 'me',
      displayName: 'Sam Rivera',
      status: 'available',
    };
    state.connection = { state: 'connected', reason: 'login_success' };
  };
  const setOutgoing = (id: string, patch: Partial<OutgoingCall>): void => {
    state.outgoing = state.outgoing.map((o) => (o.id === id ? { ...o, ...patch } : o));
    emit('outgoing', state.outgoing);
  };
  const startCall = (id: string, peer: DirectoryEntry, direction: 'outgoing' | 'incoming'): void => {
    state.calls = [
      ...state.calls,
      {
        id,
        peer: peer.uid,
        peerName: peer.displayName,
        direction,
        state: 'active',
        since: Date.now(),
        channelId: id,
        meetingUrl: settings.meetingLinkTemplate ? settings.meetingLinkTemplate.replace('{channel}', id) : null,
      },
    ];
    emit('calls', state.calls);
  };
  const person = (uid: string): DirectoryEntry =>
    state.directory.find((d) => d.uid === uid) ?? { uid, displayName: uid, presence: 'offline' };

  // Scenes put the demo straight into one state, for screenshots.
  switch (scene) {
    case 'signin':
      state.session = { state: 'signed_out', serverUrl: 'wss://ringer.example.org', uid: 'sam' };
      state.connection = { state: 'disconnected' };
      break;
    case 'signin-error':
      state.session = {
        state: 'signed_out',
        serverUrl: 'wss://ringer.example.org',
        uid: 'sam',
        error: { code: 'token_expired', message: 'token expired' },
      };
      state.connection = { state: 'disconnected', reason: 'token_expired' };
      break;
    case 'loading':
      break;
    case undefined:
      later(600, () => {
        signedIn();
        emit('session', state.session);
        emit('connection', state.connection);
      });
      break;
    default:
      signedIn();
  }
  switch (scene) {
    case 'outgoing':
      state.outgoing = [
        { id: 'demo-out', peer: 'alice', peerName: 'Alice Martin', state: 'ringing' },
        { id: 'demo-out2', peer: 'bob', peerName: 'Bob Keller', state: 'failed', reason: 'peer_offline' },
      ];
      break;
    case 'incoming':
      state.incoming = [
        {
          id: 'demo-in',
          caller: 'erin',
          callerName: 'Erin Walsh',
          content: 'Quick question about the release',
          state: 'ringing',
          silenced: false,
          popup: false,
          receivedAt: now,
        },
      ];
      break;
    case 'call':
      state.calls = [
        { id: 'demo-call', peer: 'erin', peerName: 'Erin Walsh', direction: 'outgoing', state: 'active', since: now - 83_000, meetingUrl: 'https://meet.example.org/demo-call' },
      ];
      break;
    case 'ended':
      state.calls = [
        { id: 'demo-call', peer: 'erin', peerName: 'Erin Walsh', direction: 'outgoing', state: 'ended', since: now - 323_000, endedAt: now - 2000, endReason: 'hangup', endedBy: 'erin' },
      ];
      state.outgoing = [
        { id: 'demo-out3', peer: 'dan', peerName: 'Dan Okafor', state: 'refused', reason: 'busy', response: 'In a meeting until 3, call me after' },
      ];
      break;
    case 'reconnecting':
      state.connection = { state: 'reconnecting', reason: 'interrupted', retryAt: now + 8000 };
      break;
    default:
      break;
  }

  const fail = (code: string, message: string): AppError => ({ code, message });

  const api: Api = {
    getState: async () => structuredClone(state),
    signIn: async ({ serverUrl, uid, password }) => {
      state.session = { state: 'signing_in', serverUrl, uid };
      emit('session', state.session);
      await new Promise((r) => setTimeout(r, 700));
      let error: AppError | null = null;
      if (!/^wss?:\/\//.test(serverUrl)) error = fail('invalid_url', 'not a ws:// or wss:// url');
      else if (serverUrl.includes('unreachable')) error = fail('unreachable', 'connection refused');
      else if (password !== 'demo') error = fail('bad_credentials', 'bad credentials');
      if (error) {
        state.session = { state: 'signed_out', serverUrl, uid, error };
        emit('session', state.session);
        throw error;
      }
      signedIn();
      emit('session', state.session);
      emit('connection', state.connection);
    },
    signOut: async () => {
      state.session = { state: 'signed_out', serverUrl: state.session.serverUrl ?? null, uid: state.session.uid ?? null };
      state.connection = { state: 'disconnected', reason: 'logout' };
      emit('session', state.session);
      emit('connection', state.connection);
    },
    setStatus: async (status) => {
      state.session = { ...state.session, status };
      emit('session', state.session);
    },
    setFavourite: async (uid, favourite) => {
      const rest = settings.favourites.filter((u) => u !== uid);
      settings.favourites = favourite ? [...rest, uid] : rest;
      emit('settings', { ...settings });
    },
    updateSettings: async (patch) => {
      if (patch.meetingLinkTemplate && !/^https?:\/\/.+/.test(patch.meetingLinkTemplate)) {
        throw fail('invalid_argument', 'the meeting link must start with https://');
      }
      Object.assign(settings, patch);
      emit('settings', { ...settings });
      return { ...settings };
    },
    sendInvitation: async (uid) => {
      const peer = person(uid);
      const id = `demo-${++seq}`;
      const out: OutgoingCall = { id, peer: uid, peerName: peer.displayName, state: 'calling' };
      state.outgoing = [...state.outgoing, out];
      emit('outgoing', state.outgoing);
      const live = (): boolean => state.outgoing.some((o) => o.id === id && (o.state === 'calling' || o.state === 'ringing'));
      switch (peer.presence) {
        case 'offline':
          later(3000, () => live() && setOutgoing(id, { state: 'failed', reason: 'peer_offline' }));
          break;
        case 'dnd':
          later(600, () => live() && setOutgoing(id, { state: 'refused', reason: 'dnd' }));
          break;
        case 'in_call':
          later(900, () => live() && setOutgoing(id, { state: 'ringing' }));
          later(2500, () => live() && setOutgoing(id, { state: 'refused', reason: 'busy', response: 'On another call, back soon' }));
          break;
        case 'online':
          later(700, () => live() && setOutgoing(id, { state: 'ringing' }));
          later(5000, () => {
            if (!live()) return;
            state.outgoing = state.outgoing.filter((o) => o.id !== id);
            emit('outgoing', state.outgoing);
            startCall(id, peer, 'outgoing');
          });
          break;
      }
      return out;
    },
    cancelInvitation: async (id) => setOutgoing(id, { state: 'canceled' }),
    acceptInvitation: async (id) => {
      const inv = state.incoming.find((i) => i.id === id);
      if (!inv) throw fail('already_end', 'the invitation has already ended');
      state.incoming = state.incoming.map((i) => (i.id === id ? { ...i, state: 'accepting' } : i));
      emit('incoming', state.incoming);
      later(500, () => {
        state.incoming = state.incoming.filter((i) => i.id !== id);
        emit('incoming', state.incoming);
        startCall(id, person(inv.caller), 'incoming');
      });
    },
    refuseInvitation: async (id) => {
      state.incoming = state.incoming.filter((i) => i.id !== id);
      emit('incoming', state.incoming);
    },
    silenceInvitation: async (id) => {
      state.incoming = state.incoming.map((i) => (i.id === id ? { ...i, silenced: true } : i));
      emit('incoming', state.incoming);
    },
    hangUp: async (id) => {
      state.calls = state.calls.map((c) =>
        c.id === id ? { ...c, state: 'ended', endedAt: Date.now(), endReason: 'hangup', endedBy: 'me' } : c,
      );
      emit('calls', state.calls);
    },
    dismiss: async (id) => {
      state.outgoing = state.outgoing.filter((o) => o.id !== id);
      state.calls = state.calls.filter((c) => c.id !== id);
      emit('outgoing', state.outgoing);
      emit('calls', state.calls);
    },
    openMeeting: async () => undefined,
    getHistory: async () => history,
    markMissedSeen: async () => {
      state.missed = { count: 0 };
      emit('missed', state.missed);
    },
    on: async (event, handler) => {
      let set = handlers.get(event);
      if (!set) {
        set = new Set();
        handlers.set(event, set);
      }
      const h = handler as (p: unknown) => void;
      set.add(h);
      return () => set.delete(h);
    },
  };
  return api;
}
