/**
 * Ringback (caller hears it while it rings at the peer) and ringtone (an invitation rings here).
 * Views only say which tones they want; tests hand them a recording fake.
 */

export type Tone = 'ringback' | 'ringtone';

/** What views need of the sound system. */
export interface Sounds {
  /** Starts playing `tone` (no-op while it already plays). */
  play(tone: Tone): void;
  /** Stops `tone` (no-op when it does not play). */
  stop(tone: Tone): void;
}

/** A Sounds that plays nothing (sounds off, or no audio in this environment). */
export const silentSounds: Sounds = { play() {}, stop() {} };

interface Pattern {
  /** Frequencies mixed together, in Hz. */
  freqs: number[];
  /** Seconds on, then seconds off, repeated. */
  on: number;
  off: number;
  gain: number;
}

// Ringback as European exchanges play it; the ringtone is a softer two-tone trill.
const PATTERNS: Record<Tone, Pattern> = {
  ringback: { freqs: [425], on: 1, off: 4, gain: 0.12 },
  ringtone: { freqs: [660, 880], on: 0.8, off: 1.6, gain: 0.15 },
};

/** Tones synthesised with WebAudio: no audio files, nothing fetched, CSP-friendly. */
export class WebAudioSounds implements Sounds {
  private ctx: AudioContext | null = null;
  private readonly playing = new Map<Tone, () => void>();

  play(tone: Tone): void {
    if (this.playing.has(tone)) return;
    const ctx = this.context();
    if (!ctx) return;
    // A webview with an autoplay policy starts the context suspended; try now, and again on the
    // first key or click (see docs/app-contract.md for the webview setting that avoids this).
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const p = PATTERNS[tone];
    const out = ctx.createGain();
    out.gain.value = 0;
    out.connect(ctx.destination);
    const oscs = p.freqs.map((f) => {
      const o = ctx.createOscillator();
      o.frequency.value = f;
      o.connect(out);
      o.start();
      return o;
    });
    // Schedule the cadence a minute ahead and top it up, so timers never click the sound.
    let scheduledUntil = ctx.currentTime;
    const schedule = (): void => {
      const horizon = ctx.currentTime + 60;
      while (scheduledUntil < horizon) {
        out.gain.setValueAtTime(p.gain, scheduledUntil);
        out.gain.setValueAtTime(0, scheduledUntil + p.on);
        scheduledUntil += p.on + p.off;
      }
    };
    schedule();
    const timer = window.setInterval(schedule, 30_000);
    this.playing.set(tone, () => {
      window.clearInterval(timer);
      out.gain.cancelScheduledValues(0);
      out.gain.value = 0;
      oscs.forEach((o) => o.stop());
      out.disconnect();
    });
  }

  stop(tone: Tone): void {
    const stopper = this.playing.get(tone);
    if (!stopper) return;
    this.playing.delete(tone);
    stopper();
  }

  private context(): AudioContext | null {
    if (this.ctx) return this.ctx;
    const Ctor = typeof window !== 'undefined' ? window.AudioContext : undefined;
    if (!Ctor) return null;
    const ctx = new Ctor();
    this.ctx = ctx;
    const wake = (): void => {
      if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    };
    window.addEventListener('pointerdown', wake, { capture: true });
    window.addEventListener('keydown', wake, { capture: true });
    return ctx;
  }
}

/**
 * Reference-counts tone requests so that two ringing dialogs play one ringtone, and stopping one
 * of them leaves the other's sound on.
 */
export class ToneMixer {
  private readonly counts = new Map<Tone, number>();

  constructor(private readonly sounds: Sounds) {}

  /** Asks for `tone`; call the returned function to give it back. */
  acquire(tone: Tone): () => void {
    const n = this.counts.get(tone) ?? 0;
    this.counts.set(tone, n + 1);
    if (n === 0) this.sounds.play(tone);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(tone) ?? 1) - 1;
      this.counts.set(tone, left);
      if (left === 0) this.sounds.stop(tone);
    };
  }
}
