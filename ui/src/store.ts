/** Keeps a window's copy of the backend state: one snapshot from `get_state`, then events. */

import { useEffect, useState } from 'preact/hooks';

import {
  toAppError,
  type Api,
  type AppError,
  type AppState,
  type EventMap,
  type EventName,
} from './api';

/** The events that change AppState (`history` and `error` are kept by the views showing them). */
export const STATE_EVENTS = [
  'session',
  'connection',
  'directory',
  'presence',
  'outgoing',
  'incoming',
  'calls',
  'missed',
  'settings',
] as const satisfies readonly EventName[];

/** Applies one backend event to the state. Events the state does not hold leave it unchanged. */
export function applyEvent<K extends EventName>(state: AppState, name: K, payload: EventMap[K]): AppState {
  switch (name) {
    case 'session':
      return { ...state, session: payload as EventMap['session'] };
    case 'connection':
      return { ...state, connection: payload as EventMap['connection'] };
    case 'directory':
      return { ...state, directory: payload as EventMap['directory'] };
    case 'presence': {
      const p = payload as EventMap['presence'];
      return {
        ...state,
        directory: state.directory.map((d) => (d.uid === p.uid ? { ...d, presence: p.presence } : d)),
      };
    }
    case 'outgoing':
      return { ...state, outgoing: payload as EventMap['outgoing'] };
    case 'incoming':
      return { ...state, incoming: payload as EventMap['incoming'] };
    case 'calls':
      return { ...state, calls: payload as EventMap['calls'] };
    case 'missed':
      return { ...state, missed: payload as EventMap['missed'] };
    case 'settings':
      return { ...state, settings: payload as EventMap['settings'] };
    default:
      // `history` and `error` are kept by the views that show them.
      return state;
  }
}

/** The result of useAppState. */
export interface AppStateResult {
  state: AppState | null;
  /** Set when even `get_state` failed. */
  error: AppError | null;
}

/**
 * Subscribes to every event first, then asks for the snapshot, so that nothing emitted in between
 * is lost: events that arrive before the snapshot are replayed on top of it.
 */
export function useAppState(api: Api): AppStateResult {
  const [result, setResult] = useState<AppStateResult>({ state: null, error: null });

  useEffect(() => {
    let alive = true;
    let current: AppState | null = null;
    const early: Array<[EventName, unknown]> = [];
    const unsubs: Array<() => void> = [];

    const onEvent = (name: EventName, payload: unknown): void => {
      if (!alive) return;
      if (!current) {
        early.push([name, payload]);
        return;
      }
      current = applyEvent(current, name, payload as EventMap[typeof name]);
      setResult({ state: current, error: null });
    };

    void (async () => {
      try {
        const subs = await Promise.all(
          STATE_EVENTS.map((name) => api.on(name, (payload) => onEvent(name, payload))),
        );
        if (!alive) {
          subs.forEach((u) => u());
          return;
        }
        unsubs.push(...subs);
        let snap = await api.getState();
        if (!alive) return;
        for (const [name, payload] of early) snap = applyEvent(snap, name, payload as EventMap[typeof name]);
        early.length = 0;
        current = snap;
        setResult({ state: snap, error: null });
      } catch (err) {
        if (alive) setResult({ state: null, error: toAppError(err) });
      }
    })();

    return () => {
      alive = false;
      unsubs.forEach((u) => u());
    };
  }, [api]);

  return result;
}

/** Re-renders every `intervalMs` and returns Date.now(). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}
