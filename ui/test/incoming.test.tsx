import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { IncomingCall } from '../src/api';
import { FakeSounds, fakeApi, renderApp, signedInState } from './fakeApi';

const inv: IncomingCall = {
  id: 'i1',
  caller: 'alice',
  callerName: 'Alice Martin',
  content: 'About the release',
  state: 'ringing',
  silenced: false,
  popup: false,
  receivedAt: 0,
};

async function ring(over: Partial<IncomingCall> = {}, opts: { search?: string; soundsOn?: boolean } = {}) {
  const state = signedInState({ incoming: [{ ...inv, ...over }] });
  state.settings.sounds = opts.soundsOn ?? true;
  const api = fakeApi(state);
  const sounds = new FakeSounds();
  renderApp(api, { sounds, search: opts.search ?? '' });
  const dialog = await screen.findByRole('alertdialog');
  // Its effects (focus, keys, tone) have run once it holds the focus.
  await waitFor(() => expect(dialog).toHaveFocus());
  return { api, sounds, dialog, user: userEvent.setup() };
}

describe('incoming call dialog', () => {
  it('is a labelled alert dialog with caller and content, focused on open', async () => {
    const { dialog } = await ring();
    expect(dialog).toHaveAccessibleName('Alice Martin');
    expect(dialog).toHaveAccessibleDescription('is calling you About the release');
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveFocus();
  });

  it('accepts, declines and silences with its buttons', async () => {
    const { api, dialog, user, sounds } = await ring();
    expect(sounds.playing.has('ringtone')).toBe(true);
    await user.click(within(dialog).getByRole('button', { name: 'Silence' }));
    expect(api.silenceInvitation).toHaveBeenCalledWith('i1');
    // The sound stops at once, before the backend echoes `silenced`.
    await waitFor(() => expect(sounds.playing.has('ringtone')).toBe(false));
    expect(within(dialog).getByRole('button', { name: 'Silenced' })).toBeDisabled();
    // Silence stops only the sound: the call still rings.
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
    expect(api.refuseInvitation).not.toHaveBeenCalled();

    await user.click(within(dialog).getByRole('button', { name: 'Decline' }));
    expect(api.refuseInvitation).toHaveBeenCalledWith('i1');
    await user.click(within(dialog).getByRole('button', { name: 'Accept' }));
    expect(api.acceptInvitation).toHaveBeenCalledWith('i1');
  });

  it.each([
    ['{Enter}', 'acceptInvitation'],
    ['a', 'acceptInvitation'],
    ['{Escape}', 'refuseInvitation'],
    ['d', 'refuseInvitation'],
    ['s', 'silenceInvitation'],
  ] as const)('key %s calls %s', async (key, method) => {
    const { api, user } = await ring();
    await user.keyboard(key);
    expect(api[method]).toHaveBeenCalledWith('i1');
    const others = (['acceptInvitation', 'refuseInvitation', 'silenceInvitation'] as const).filter((m) => m !== method);
    for (const m of others) expect(api[m]).not.toHaveBeenCalled();
  });

  it('lets Enter on a focused button press that button, not the accept shortcut', async () => {
    const { api, dialog, user } = await ring();
    within(dialog).getByRole('button', { name: 'Decline' }).focus();
    await user.keyboard('{Enter}');
    expect(api.refuseInvitation).toHaveBeenCalledWith('i1');
    expect(api.acceptInvitation).not.toHaveBeenCalled();
  });

  it('keeps Tab inside the dialog', async () => {
    const { dialog, user } = await ring();
    const buttons = within(dialog).getAllByRole('button');
    await user.tab();
    expect(buttons[0]).toHaveFocus();
    await user.tab();
    await user.tab();
    expect(buttons[2]).toHaveFocus();
    await user.tab();
    expect(buttons[0]).toHaveFocus();
    await user.tab({ shift: true });
    expect(buttons[2]).toHaveFocus();
  });

  it('shows Connecting… and disables the answers while the accept is confirmed', async () => {
    const { api, dialog, user, sounds } = await ring();
    await api.emit('incoming', [{ ...inv, state: 'accepting' }]);
    expect(dialog).toHaveTextContent('Connecting…');
    expect(within(dialog).getByRole('button', { name: 'Accept' })).toBeDisabled();
    expect(within(dialog).getByRole('button', { name: 'Decline' })).toBeDisabled();
    expect(sounds.playing.has('ringtone')).toBe(false);
    await user.keyboard('a');
    expect(api.acceptInvitation).not.toHaveBeenCalled();
  });

  it.each(['canceled by the caller', 'answered elsewhere', 'declined elsewhere', 'expired', 'caller offline'])(
    'closes and stops ringing when the backend ends it (%s)',
    async () => {
      const { api, sounds } = await ring();
      const search = screen.getByRole('searchbox');
      await api.emit('incoming', []);
      expect(screen.queryByRole('alertdialog')).toBeNull();
      expect(sounds.playing.has('ringtone')).toBe(false);
      // Keys no longer answer anything.
      await userEvent.setup().keyboard('a');
      expect(api.acceptInvitation).not.toHaveBeenCalled();
      expect(search).toBeInTheDocument();
    },
  );

  it('gives focus back to where it was when it closes', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    const search = await screen.findByRole('searchbox');
    search.focus();
    await api.emit('incoming', [inv]);
    expect(screen.getByRole('alertdialog')).toHaveFocus();
    await api.emit('incoming', []);
    expect(search).toHaveFocus();
  });

  it('counts the missed call on the History tab', async () => {
    const { api } = await ring();
    await api.emit('incoming', []);
    await api.emit('missed', { count: 1 });
    expect(screen.getByRole('tab', { name: /History/ })).toHaveTextContent('1');
    expect(screen.getByLabelText('1 missed')).toBeInTheDocument();
  });

  it('starts silent when the backend says it was silenced in another window', async () => {
    const { sounds, dialog } = await ring({ silenced: true });
    expect(sounds.log).toEqual([]);
    expect(within(dialog).getByRole('button', { name: 'Silenced' })).toBeDisabled();
  });

  it('rings silently when sounds are off', async () => {
    const { sounds } = await ring({}, { soundsOn: false });
    expect(sounds.log).toEqual([]);
  });

  it('leaves a popup invitation to the popup window: no dialog, no sound in the main window', async () => {
    const state = signedInState({ incoming: [{ ...inv, popup: true }] });
    const sounds = new FakeSounds();
    renderApp(fakeApi(state), { sounds });
    await screen.findByRole('list', { name: 'Team' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(sounds.log).toEqual([]);
  });

  it('says how many more calls wait behind the first', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await screen.findByRole('list', { name: 'Team' });
    await api.emit('incoming', [inv, { ...inv, id: 'i2', callerName: 'Bob' }]);
    expect(screen.getByRole('alertdialog')).toHaveAccessibleName('Alice Martin');
    expect(screen.getByText('1 more call waiting')).toBeInTheDocument();
  });
});

describe('standalone incoming window', () => {
  it('renders only the dialog for ?view=incoming&id=…, with sound, even for a popup invitation', async () => {
    const { dialog, sounds, api, user } = await ring({ popup: true }, { search: '?view=incoming&id=i1' });
    expect(dialog).toHaveAccessibleName('Alice Martin');
    expect(dialog).not.toHaveAttribute('aria-modal');
    expect(screen.queryByRole('tab')).toBeNull();
    expect(screen.queryByRole('banner')).toBeNull();
    expect(sounds.playing.has('ringtone')).toBe(true);
    await user.keyboard('s');
    expect(api.silenceInvitation).toHaveBeenCalledWith('i1');
    await user.keyboard('{Escape}');
    expect(api.refuseInvitation).toHaveBeenCalledWith('i1');
  });

  it('stops when the silence came from the main window', async () => {
    const { api, sounds } = await ring({ popup: true }, { search: '?view=incoming&id=i1' });
    await api.emit('incoming', [{ ...inv, popup: true, silenced: true }]);
    expect(sounds.playing.has('ringtone')).toBe(false);
  });

  it('says the call has ended once the invitation is gone', async () => {
    const { api, sounds } = await ring({ popup: true }, { search: '?view=incoming&id=i1' });
    await api.emit('incoming', []);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('This call has ended.');
    expect(sounds.playing.has('ringtone')).toBe(false);
  });

  it('shows another id as ended', async () => {
    const api = fakeApi(signedInState({ incoming: [inv] }));
    renderApp(api, { search: '?view=incoming&id=other' });
    expect(await screen.findByText('This call has ended.')).toBeInTheDocument();
  });
});
