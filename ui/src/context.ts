/** What views receive from above: the Api and the tone mixer. */

import { createContext } from 'preact';
import { useContext, useEffect } from 'preact/hooks';

import type { Api } from './api';
import { ToneMixer, silentSounds, type Tone } from './sound';

export const ApiContext = createContext<Api | null>(null);
export const ToneContext = createContext<ToneMixer>(new ToneMixer(silentSounds));

/** The Api given to the tree. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('no Api in context');
  return api;
}

/** Plays `tone` while `active` is true and the component is mounted. */
export function useTone(tone: Tone, active: boolean): void {
  const mixer = useContext(ToneContext);
  useEffect(() => {
    if (!active) return undefined;
    return mixer.acquire(tone);
  }, [mixer, tone, active]);
}

/** Shows a failed command's error to the user (as a toast in the main window). */
export const ReportContext = createContext<(err: unknown) => void>(() => undefined);

/** The function that reports a failed command. */
export function useReport(): (err: unknown) => void {
  return useContext(ReportContext);
}
