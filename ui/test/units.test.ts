import { describe, expect, it } from 'vitest';

import { callEndText, failureText, formatDuration, outcomeText, signInErrorText } from '../src/format';
import { ToneMixer } from '../src/sound';
import { applyEvent } from '../src/store';
import { matches, sortContacts } from '../src/components/Team';
import { FakeSounds, signedInState } from './fakeApi';

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatDuration(59_999)).toBe('0:59');
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(3_600_000)).toBe('1:00:00');
  });

  it('names every failure reason', () => {
    expect(failureText('peer_offline', 'Bob')).toBe('Bob is offline');
    expect(failureText('invitation_expire', 'Bob')).toBe('No answer');
    expect(failureText('something_new', 'Bob')).toBe('Call failed (something_new)');
    expect(failureText(null, 'Bob')).toBe('Call failed');
  });

  it('says who hung up', () => {
    expect(callEndText('hangup', 'me', 'me', 'Bob')).toBe('You hung up');
    expect(callEndText('hangup', 'bob', 'me', 'Bob')).toBe('Bob hung up');
    expect(callEndText(null, null, 'me', 'Bob')).toBe('Call ended');
  });

  it('falls back to the message for unknown sign-in errors', () => {
    expect(signInErrorText({ code: 'weird', message: 'odd thing' })).toBe('odd thing');
    expect(signInErrorText({ code: 'weird', message: '' })).toBe('Sign-in failed.');
  });

  it('describes outcomes from each side', () => {
    const r = { id: 'x', peer: 'bob', direction: 'incoming' as const, missed: false, startedAt: 0, endedAt: 1 };
    expect(outcomeText({ ...r, outcome: 'canceled' })).toBe('Canceled by caller');
    expect(outcomeText({ ...r, outcome: 'failed', reason: 'invitation_expire' })).toBe('Not answered');
    expect(outcomeText({ ...r, outcome: 'canceled', missed: true })).toBe('Missed');
    expect(outcomeText({ ...r, direction: 'outgoing', outcome: 'canceled' })).toBe('Canceled');
  });
});

describe('store', () => {
  it('applies presence to the matching directory entry only', () => {
    const s = signedInState();
    const next = applyEvent(s, 'presence', { uid: 'bob', presence: 'in_call' });
    expect(next.directory.find((d) => d.uid === 'bob')?.presence).toBe('in_call');
    expect(next.directory.find((d) => d.uid === 'alice')?.presence).toBe('online');
    expect(s.directory.find((d) => d.uid === 'bob')?.presence).toBe('offline');
  });

  it('ignores events it does not keep', () => {
    const s = signedInState();
    expect(applyEvent(s, 'history', [])).toBe(s);
    expect(applyEvent(s, 'error', { code: 'x', message: 'y' })).toBe(s);
  });
});

describe('team ordering', () => {
  it('sorts favourites first, then by name', () => {
    const d = signedInState().directory;
    expect(sortContacts(d, ['dan', 'bob']).map((e) => e.uid)).toEqual(['bob', 'dan', 'alice', 'carol', 'me']);
  });

  it('matches on name or uid', () => {
    const e = { uid: 'asmith', displayName: 'Anna Smith', presence: 'online' as const };
    expect(matches(e, ' SMI ')).toBe(true);
    expect(matches(e, 'asm')).toBe(true);
    expect(matches(e, 'bob')).toBe(false);
  });
});

describe('ToneMixer', () => {
  it('plays a tone once for several holders and stops after the last lets go', () => {
    const sounds = new FakeSounds();
    const mixer = new ToneMixer(sounds);
    const a = mixer.acquire('ringtone');
    const b = mixer.acquire('ringtone');
    a();
    a();
    expect(sounds.playing.has('ringtone')).toBe(true);
    b();
    expect(sounds.playing.has('ringtone')).toBe(false);
    expect(sounds.log).toEqual(['play ringtone', 'stop ringtone']);
  });
});
