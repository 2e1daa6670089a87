import { screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { OutgoingCall } from '../src/api';
import { FakeSounds, fakeApi, renderApp, signedInState } from './fakeApi';

const base: OutgoingCall = { id: 'o1', peer: 'bob', peerName: 'Bob', state: 'calling' };

async function showOutgoing(call: OutgoingCall, sounds = new FakeSounds(), soundsOn = true) {
  const state = signedInState({ outgoing: [call] });
  state.settings.sounds = soundsOn;
  const api = fakeApi(state);
  renderApp(api, { sounds });
  const dialog = await screen.findByRole('dialog');
  return { api, dialog, sounds };
}

describe('outgoing call dialog', () => {
  const cases: Array<[Partial<OutgoingCall>, string]> = [
    [{ state: 'calling' }, 'Calling Bob…'],
    [{ state: 'ringing' }, 'Ringing Bob…'],
    [{ state: 'accepted' }, 'Bob accepted'],
    [{ state: 'refused', reason: 'declined' }, 'Bob declined'],
    [{ state: 'refused', reason: 'busy' }, 'Bob is busy'],
    [{ state: 'refused', reason: 'dnd' }, 'Bob does not want to be disturbed'],
    [{ state: 'canceled' }, 'Call canceled'],
    [{ state: 'failed', reason: 'peer_offline' }, 'Bob is offline'],
    [{ state: 'failed', reason: 'invitation_expire' }, 'No answer'],
    [{ state: 'failed', reason: 'peer_no_response' }, "Bob's devices did not respond"],
    [{ state: 'failed', reason: 'peer_unknown' }, 'Bob has no account on this server'],
    [{ state: 'failed', reason: 'glare' }, "You called each other: joining Bob's call"],
    [{ state: 'failed', reason: 'server_restart' }, 'The server restarted'],
    [{ state: 'failed', reason: 'not_logged_in' }, 'You are not signed in'],
    [{ state: 'failed', reason: 'accept_failure' }, 'The call could not be connected'],
    // The server refused the invite: its error, not the protocol's stand-in reason.
    [
      { state: 'failed', reason: 'peer_unknown', error: { code: 'rate_limited', message: 'too many frames; slow down' } },
      'Too many requests. Try again in a moment.',
    ],
    [
      { state: 'failed', reason: 'peer_unknown', error: { code: 'forbidden', message: 'not yours' } },
      'That is not allowed.',
    ],
    [
      { state: 'failed', reason: 'peer_unknown', error: { code: 'internal', message: 'the store failed' } },
      'the store failed',
    ],
    [{ state: 'failed', reason: 'peer_unknown', error: null }, 'Bob has no account on this server'],
  ];

  it.each(cases)('%o reads "%s"', async (patch, title) => {
    const { dialog } = await showOutgoing({ ...base, ...patch });
    expect(dialog).toHaveAccessibleName(title);
  });

  it('offers Cancel while calling and ringing, and cancels through the backend', async () => {
    const { api, dialog } = await showOutgoing(base);
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.cancelInvitation).toHaveBeenCalledWith('o1');
    await api.emit('outgoing', [{ ...base, state: 'ringing' }]);
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    await api.emit('outgoing', [{ ...base, state: 'canceled' }]);
    expect(dialog).toHaveAccessibleName('Call canceled');
    expect(within(dialog).queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('follows the states the backend sends, shows the response, and closes via dismiss', async () => {
    const { api, dialog } = await showOutgoing(base);
    await api.emit('outgoing', [{ ...base, state: 'ringing' }]);
    expect(dialog).toHaveAccessibleName('Ringing Bob…');
    await api.emit('outgoing', [{ ...base, state: 'refused', reason: 'busy', response: 'In a meeting' }]);
    expect(dialog).toHaveAccessibleName('Bob is busy');
    expect(dialog).toHaveTextContent('“In a meeting”');
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(api.dismiss).toHaveBeenCalledWith('o1');
    await api.emit('outgoing', []);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('calls again after a failure', async () => {
    const { api, dialog } = await showOutgoing({ ...base, state: 'failed', reason: 'invitation_expire' });
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Call again' }));
    expect(api.dismiss).toHaveBeenCalledWith('o1');
    expect(api.sendInvitation).toHaveBeenCalledWith('bob');
  });

  it('plays ringback only while it rings at the peer', async () => {
    const sounds = new FakeSounds();
    const { api } = await showOutgoing(base, sounds);
    expect(sounds.playing.has('ringback')).toBe(false);
    await api.emit('outgoing', [{ ...base, state: 'ringing' }]);
    expect(sounds.playing.has('ringback')).toBe(true);
    await api.emit('outgoing', [{ ...base, state: 'accepted' }]);
    expect(sounds.playing.has('ringback')).toBe(false);
    await api.emit('outgoing', [{ ...base, state: 'ringing' }]);
    expect(sounds.playing.has('ringback')).toBe(true);
    await api.emit('outgoing', []);
    expect(sounds.playing.has('ringback')).toBe(false);
  });

  it('plays one ringback for two ringing calls until both stop', async () => {
    const sounds = new FakeSounds();
    const { api } = await showOutgoing({ ...base, state: 'ringing' }, sounds);
    await api.emit('outgoing', [
      { ...base, state: 'ringing' },
      { ...base, id: 'o2', state: 'ringing' },
    ]);
    expect(sounds.log.filter((l) => l === 'play ringback')).toHaveLength(1);
    await api.emit('outgoing', [{ ...base, id: 'o2', state: 'ringing' }]);
    expect(sounds.playing.has('ringback')).toBe(true);
    await api.emit('outgoing', []);
    expect(sounds.playing.has('ringback')).toBe(false);
  });

  it('stays silent when sounds are off', async () => {
    const sounds = new FakeSounds();
    await showOutgoing({ ...base, state: 'ringing' }, sounds, false);
    expect(sounds.log).toEqual([]);
  });
});
