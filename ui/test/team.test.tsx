import { act, screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { fakeApi, renderApp, signedInState } from './fakeApi';

function names(): string[] {
  const list = screen.getByRole('list', { name: 'Team' });
  return within(list)
    .getAllByRole('listitem')
    .map((li) => li.querySelector('.contact-name')?.textContent ?? '');
}

function row(name: string): HTMLElement {
  const li = screen.getByText(name).closest('li');
  if (!li) throw new Error(`no row for ${name}`);
  return li;
}

describe('team view', () => {
  it('lists everyone but me, by name, with their presence in words', async () => {
    renderApp(fakeApi(signedInState()));
    await screen.findByRole('list', { name: 'Team' });
    expect(names()).toEqual(['Alice Martin', 'Bob Keller', 'Carol Nguyen', 'Dan Okafor']);
    expect(within(row('Alice Martin')).getByTestId('presence')).toHaveTextContent('Available');
    expect(within(row('Bob Keller')).getByTestId('presence')).toHaveTextContent('Offline');
    expect(within(row('Carol Nguyen')).getByTestId('presence')).toHaveTextContent('In a call');
    expect(within(row('Dan Okafor')).getByTestId('presence')).toHaveTextContent('Do not disturb');
  });

  it('updates presence live from presence and directory events', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await screen.findByRole('list', { name: 'Team' });
    await api.emit('presence', { uid: 'bob', presence: 'online' });
    expect(within(row('Bob Keller')).getByTestId('presence')).toHaveTextContent('Available');
    expect(row('Bob Keller')).toHaveClass('p-online');
    await api.emit('directory', [
      { uid: 'alice', displayName: 'Alice Martin', presence: 'offline' },
      { uid: 'zoe', displayName: 'Zoe Adams', presence: 'online' },
    ]);
    expect(names()).toEqual(['Alice Martin', 'Zoe Adams']);
    expect(within(row('Alice Martin')).getByTestId('presence')).toHaveTextContent('Offline');
  });

  it('filters by name or uid, case-insensitively, and says when nobody matches', async () => {
    renderApp(fakeApi(signedInState()));
    const user = userEvent.setup();
    const search = await screen.findByRole('searchbox', { name: 'Search people' });
    await user.type(search, 'KEL');
    expect(names()).toEqual(['Bob Keller']);
    await user.clear(search);
    await user.type(search, 'dan');
    expect(names()).toEqual(['Dan Okafor']);
    await user.type(search, 'xyz');
    expect(screen.getByText(/Nobody matches/)).toBeInTheDocument();
  });

  it('puts favourites on top and toggles the star through the backend', async () => {
    const api = fakeApi(
      signedInState({
        settings: { sounds: true, callWaiting: false, meetingLinkTemplate: '', startAtLogin: false, favourites: ['dan'] },
      }),
    );
    renderApp(api);
    await screen.findByRole('list', { name: 'Team' });
    expect(names()).toEqual(['Dan Okafor', 'Alice Martin', 'Bob Keller', 'Carol Nguyen']);
    const star = screen.getByRole('button', { name: 'Favourite Carol Nguyen' });
    expect(star).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByRole('button', { name: 'Favourite Dan Okafor' })).toHaveAttribute('aria-pressed', 'true');

    await userEvent.setup().click(star);
    expect(api.setFavourite).toHaveBeenCalledWith('carol', true);
    // The order changes only when the backend says the setting changed.
    expect(names()[0]).toBe('Dan Okafor');
    await api.emit('settings', {
      sounds: true,
      callWaiting: false,
      meetingLinkTemplate: '',
      startAtLogin: false,
      favourites: ['dan', 'carol'],
    });
    expect(names()).toEqual(['Carol Nguyen', 'Dan Okafor', 'Alice Martin', 'Bob Keller']);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Favourite Dan Okafor' }));
    expect(api.setFavourite).toHaveBeenLastCalledWith('dan', false);
  });

  it('calls a person with the Call button', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Call Alice Martin' }));
    expect(api.sendInvitation).toHaveBeenCalledWith('alice');
  });

  it('disables Call, with the reason, while this device is in a call', async () => {
    const api = fakeApi(
      signedInState({
        calls: [
          { id: 'c1', peer: 'dan', peerName: 'Dan Okafor', direction: 'incoming', state: 'active', since: Date.now() },
        ],
      }),
    );
    renderApp(api);
    const call = await screen.findByRole('button', { name: 'Call Alice Martin' });
    expect(call).toBeDisabled();
    expect(call).toHaveAccessibleDescription('You are in a call with Dan Okafor.');
    expect(call).toHaveAttribute('title', 'You are in a call with Dan Okafor.');
    await userEvent.setup().click(call);
    expect(api.sendInvitation).not.toHaveBeenCalled();

    // Hung up: the ended call stays in the dock until dismissed, but calling is possible again.
    await api.emit('calls', [
      {
        id: 'c1',
        peer: 'dan',
        peerName: 'Dan Okafor',
        direction: 'incoming',
        state: 'ended',
        since: Date.now() - 1000,
        endedAt: Date.now(),
        endReason: 'hangup',
        endedBy: 'me',
      },
    ]);
    expect(call).toBeEnabled();
    // (Preact clears a dropped `title` to an empty one, which shows no tooltip.)
    expect(call.getAttribute('title') ?? '').toBe('');
    expect(call).not.toHaveAttribute('aria-description');
    expect(call).toHaveAccessibleDescription('');
    await userEvent.setup().click(call);
    expect(api.sendInvitation).toHaveBeenCalledWith('alice');
  });

  it('disables every Call while an outgoing invitation is calling or ringing', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    const alice = await screen.findByRole('button', { name: 'Call Alice Martin' });
    expect(alice).toBeEnabled();

    await api.emit('outgoing', [{ id: 'o1', peer: 'bob', peerName: 'Bob Keller', state: 'calling' }]);
    for (const name of ['Alice Martin', 'Bob Keller', 'Carol Nguyen', 'Dan Okafor']) {
      const button = screen.getByRole('button', { name: `Call ${name}` });
      expect(button).toBeDisabled();
      expect(button).toHaveAccessibleDescription('You are already calling Bob Keller.');
    }
    await api.emit('outgoing', [{ id: 'o1', peer: 'bob', peerName: 'Bob Keller', state: 'ringing' }]);
    expect(alice).toBeDisabled();

    // A finished invitation waiting to be dismissed does not block a new call.
    await api.emit('outgoing', [
      { id: 'o1', peer: 'bob', peerName: 'Bob Keller', state: 'refused', reason: 'declined' },
    ]);
    expect(alice).toBeEnabled();
    await userEvent.setup().click(alice);
    expect(api.sendInvitation).toHaveBeenCalledWith('alice');
  });

  it('shows a failed call attempt as a readable toast', async () => {
    const api = fakeApi(signedInState());
    api.sendInvitation.mockRejectedValue({ code: 'not_signed_in', message: 'nope' });
    renderApp(api);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Call Alice Martin' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You are not signed in.');
  });

  it('shows backend error events as toasts that can be dismissed', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await waitFor(() => expect(api.listeners('error')).toBe(1));
    await api.emit('error', { code: 'accept_failure', message: 'x' });
    expect(screen.getByRole('alert')).toHaveTextContent('could not be connected');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('header', () => {
  it('shows my name and status and switches do-not-disturb through the backend', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    const sw = await screen.findByRole('switch', { name: 'Do not disturb' });
    expect(screen.getByRole('banner')).toHaveTextContent('Sam Rivera');
    expect(screen.getByRole('banner')).toHaveTextContent('Available');
    expect(sw).toHaveAttribute('aria-checked', 'false');
    await userEvent.setup().click(sw);
    expect(api.setStatus).toHaveBeenCalledWith('dnd');
    // Still available until the backend confirms.
    expect(sw).toHaveAttribute('aria-checked', 'false');
    await api.emit('session', { ...signedInState().session, status: 'dnd' });
    expect(sw).toHaveAttribute('aria-checked', 'true');
    await userEvent.setup().click(sw);
    expect(api.setStatus).toHaveBeenLastCalledWith('available');
  });

  it('shows the connection state and a banner while reconnecting', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    const pill = await screen.findByTestId('connection-state');
    expect(pill).toHaveTextContent('Connected');
    expect(screen.queryByText(/Reconnecting…/)).toBeNull();

    await api.emit('connection', { state: 'reconnecting', reason: 'interrupted' });
    expect(pill).toHaveTextContent('Reconnecting…');
    expect(screen.getByRole('status')).toHaveTextContent('Connection lost. Reconnecting…');

    await api.emit('connection', { state: 'connected', reason: 'login_success' });
    expect(pill).toHaveTextContent('Connected');
    expect(screen.queryByText(/Connection lost/)).toBeNull();

    await api.emit('connection', { state: 'aborted', reason: 'banned_by_server' });
    expect(screen.getByRole('status')).toHaveTextContent('stopped (banned_by_server)');
  });

  it('counts down to the next reconnect attempt from retryAt', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      vi.setSystemTime(new Date('2026-01-05T10:00:00Z'));
      const api = fakeApi(signedInState());
      renderApp(api);
      await screen.findByTestId('connection-state');
      await api.emit('connection', { state: 'reconnecting', reason: 'interrupted', retryAt: Date.now() + 8000 });
      expect(screen.getByRole('status')).toHaveTextContent('Connection lost. Reconnecting… (next try in 8 s)');

      await act(async () => {
        vi.advanceTimersByTime(3000);
      });
      expect(screen.getByRole('status')).toHaveTextContent('(next try in 5 s)');

      // The attempt is under way: no countdown, and none for a time already past.
      await api.emit('connection', { state: 'reconnecting', reason: 'interrupted', retryAt: null });
      expect(screen.getByRole('status')).toHaveTextContent(/^Connection lost\. Reconnecting…$/);
      await api.emit('connection', { state: 'reconnecting', reason: 'interrupted', retryAt: Date.now() - 500 });
      expect(screen.getByRole('status')).toHaveTextContent(/^Connection lost\. Reconnecting…$/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops the banner once connected', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await screen.findByTestId('connection-state');
    await api.emit('connection', { state: 'reconnecting', reason: 'interrupted', retryAt: Date.now() + 8000 });
    expect(screen.getByRole('status')).toHaveTextContent('next try in');
    await api.emit('connection', { state: 'connected', reason: 'login_success', retryAt: null });
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('signs out', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    const header = await screen.findByRole('banner');
    await userEvent.setup().click(within(header).getByRole('button', { name: 'Sign out' }));
    expect(api.signOut).toHaveBeenCalled();
  });
});
