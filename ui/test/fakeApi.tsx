/** A scriptable stand-in for api.ts: commands are spies, events are emitted by the test. */

import { act, render, type RenderResult } from '@testing-library/preact';
import { vi, type Mock } from 'vitest';

import type { Api, AppState, EventMap, EventName } from '../src/api';
import { Root } from '../src/Root';
import type { Sounds, Tone } from '../src/sound';

type Commands = Omit<Api, 'on'>;
type SpyApi = { [K in keyof Commands]: Mock<Commands[K]> };

export type FakeApi = SpyApi & {
  on: Api['on'];
  /** Delivers a backend event to every subscriber, inside act(). */
  emit<K extends EventName>(event: K, payload: EventMap[K]): Promise<void>;
  /** How many handlers listen to `event` now. */
  listeners(event: EventName): number;
};

/** A fake Api whose `get_state` answers `state` (changed by later `emit`s only). */
export function fakeApi(state: AppState): FakeApi {
  const handlers = new Map<EventName, Set<(p: unknown) => void>>();
  const ok = <T,>(v: T) => vi.fn(async () => v);
  const api = {
    getState: vi.fn(async () => structuredClone(state)),
    signIn: ok(undefined),
    signOut: ok(undefined),
    setStatus: ok(undefined),
    setFavourite: ok(undefined),
    updateSettings: vi.fn(async (patch) => ({ ...state.settings, ...patch })),
    sendInvitation: vi.fn(async (uid: string) => ({ id: 'new', peer: uid, peerName: uid, state: 'calling' as const })),
    cancelInvitation: ok(undefined),
    acceptInvitation: ok(undefined),
    refuseInvitation: ok(undefined),
    silenceInvitation: ok(undefined),
    hangUp: ok(undefined),
    dismiss: ok(undefined),
    openMeeting: ok(undefined),
    getHistory: ok([]),
    markMissedSeen: ok(undefined),
    on: async <K extends EventName,>(event: K, handler: (p: EventMap[K]) => void) => {
      let set = handlers.get(event);
      if (!set) {
        set = new Set();
        handlers.set(event, set);
      }
      const h = handler as (p: unknown) => void;
      set.add(h);
      return () => {
        set.delete(h);
      };
    },
    emit: async <K extends EventName,>(event: K, payload: EventMap[K]) => {
      await act(async () => {
        handlers.get(event)?.forEach((h) => h(payload));
      });
    },
    listeners: (event: EventName) => handlers.get(event)?.size ?? 0,
  };
  return api as unknown as FakeApi;
}

/** Records which tones play. */
export class FakeSounds implements Sounds {
  readonly playing = new Set<Tone>();
  readonly log: string[] = [];
  play(tone: Tone): void {
    this.playing.add(tone);
    this.log.push(`play ${tone}`);
  }
  stop(tone: Tone): void {
    this.playing.delete(tone);
    this.log.push(`stop ${tone}`);
  }
}

/** A signed-in state with a small team; pass overrides per test. */
export function signedInState(over: Partial<AppState> = {}): AppState {
  return {
    session: {
      state: 'signed_in',
      serverUrl: 'wss://ringer.test',
      uid: 'me',
      displayName: 'Sam Rivera',
      status: 'available',
    },
    connection: { state: 'connected', reason: 'login_success' },
    directory: [
      { uid: 'alice', displayName: 'Alice Martin', presence: 'online' },
      { uid: 'bob', displayName: 'Bob Keller', presence: 'offline' },
      { uid: 'carol', displayName: 'Carol Nguyen', presence: 'in_call' },
      { uid: 'dan', displayName: 'Dan Okafor', presence: 'dnd' },
      { uid: 'me', displayName: 'Sam Rivera', presence: 'online' },
    ],
    outgoing: [],
    incoming: [],
    calls: [],
    missed: { count: 0 },
    settings: {
      sounds: true,
      callWaiting: false,
      meetingLinkTemplate: '',
      startAtLogin: false,
      favourites: [],
    },
    ...over,
  };
}

/** Renders the app (or the popup, with `search`) against `api`. */
export function renderApp(
  api: Api,
  opts: { search?: string; sounds?: Sounds } = {},
): RenderResult & { sounds: Sounds } {
  const sounds = opts.sounds ?? new FakeSounds();
  const result = render(<Root api={api} sounds={sounds} search={opts.search ?? ''} />);
  return { ...result, sounds };
}
