import { screen, waitFor } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { AppError, AppState, Session } from '../src/api';
import { fakeApi, renderApp, signedInState } from './fakeApi';

function signedOut(session: Partial<Session> = {}): AppState {
  return signedInState({
    session: { state: 'signed_out', serverUrl: 'wss://ringer.test', uid: 'sam', ...session },
    connection: { state: 'disconnected' },
  });
}

describe('start-up', () => {
  it('shows a loading state until the backend reports the session', async () => {
    const api = fakeApi(signedInState({ session: { state: 'starting' } }));
    renderApp(api);
    expect(await screen.findByRole('status')).toHaveTextContent('Starting Ringer');
    await api.emit('session', { state: 'signed_in', uid: 'me', displayName: 'Sam Rivera', status: 'available' });
    expect(await screen.findByRole('tab', { name: 'Team' })).toBeInTheDocument();
    expect(screen.queryByText('Starting Ringer…')).not.toBeInTheDocument();
  });

  it('shows the sign-in form when auto sign-in found no session', async () => {
    const api = fakeApi(signedInState({ session: { state: 'starting' } }));
    renderApp(api);
    await screen.findByText('Starting Ringer…');
    await api.emit('session', { state: 'signed_out', serverUrl: 'wss://old.test', uid: 'sam' });
    expect(await screen.findByRole('heading', { name: 'Sign in to Ringer' })).toBeInTheDocument();
    expect(screen.getByLabelText('Server')).toHaveValue('wss://old.test');
    expect(screen.getByLabelText('User name')).toHaveValue('sam');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('replays an event that arrives before the snapshot', async () => {
    const state = signedInState({ session: { state: 'starting' } });
    const api = fakeApi(state);
    let release: () => void = () => undefined;
    api.getState.mockImplementation(
      () =>
        new Promise((resolve) => {
          release = () => resolve(structuredClone(state));
        }),
    );
    renderApp(api);
    await waitFor(() => expect(api.getState).toHaveBeenCalled());
    await api.emit('session', { state: 'signed_out', uid: 'late' });
    release();
    expect(await screen.findByLabelText('User name')).toHaveValue('late');
  });
});

describe('sign-in view', () => {
  it('signs in with the typed server, uid and password and shows the busy state', async () => {
    const api = fakeApi(signedOut({ serverUrl: '', uid: '' }));
    let finish: () => void = () => undefined;
    api.signIn.mockImplementation(() => new Promise<void>((r) => (finish = r)));
    renderApp(api);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Server'), 'wss://ringer.example.org');
    await user.type(screen.getByLabelText('User name'), ' sam ');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(api.signIn).toHaveBeenCalledWith({ serverUrl: 'wss://ringer.example.org', uid: 'sam', password: 'secret' });
    const busy = screen.getByRole('button', { name: 'Signing in…' });
    expect(busy).toBeDisabled();
    expect(screen.getByLabelText('Password')).toBeDisabled();
    finish();
    await api.emit('session', { state: 'signed_in', uid: 'sam', displayName: 'Sam', status: 'available' });
    expect(await screen.findByRole('tab', { name: 'Team' })).toBeInTheDocument();
  });

  it('is busy while the backend says signing_in', async () => {
    renderApp(fakeApi(signedOut({ state: 'signing_in' })));
    expect(await screen.findByRole('button', { name: 'Signing in…' })).toBeDisabled();
  });

  const cases: Array<[AppError, RegExp]> = [
    [{ code: 'bad_credentials', message: 'bad credentials' }, /Wrong user name or password/],
    [{ code: 'unreachable', message: 'connection refused' }, /Can't reach the server at wss:\/\/ringer.test/],
    [{ code: 'token_expired', message: 'expired' }, /session has expired/],
    [{ code: 'token_revoked', message: 'revoked' }, /session was ended/],
    [{ code: 'account_disabled', message: 'disabled' }, /account is disabled/],
    [{ code: 'rate_limited', message: 'slow down' }, /Too many sign-in attempts/],
    [{ code: 'invalid_url', message: 'bad url' }, /server address is not valid/],
    [{ code: 'something_new', message: 'the server fell over' }, /the server fell over/],
  ];

  it.each(cases)('shows %o from a failed sign-in readably and offers the form again', async (error, text) => {
    const api = fakeApi(signedOut());
    api.signIn.mockRejectedValue(error);
    renderApp(api);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(text);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    expect(screen.getByLabelText('Password')).toBeEnabled();
  });

  it.each(cases)('shows %o when the backend signed out with it', async (error, text) => {
    renderApp(fakeApi(signedOut({ error })));
    expect(await screen.findByRole('alert')).toHaveTextContent(text);
  });

  it('goes back to the sign-in view when the session is revoked while signed in', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await screen.findByRole('tab', { name: 'Team' });
    await api.emit('session', {
      state: 'signed_out',
      serverUrl: 'wss://ringer.test',
      uid: 'me',
      error: { code: 'token_revoked', message: 'revoked' },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(/session was ended/);
    expect(screen.getByLabelText('User name')).toHaveValue('me');
  });

  it('says so when even get_state fails', async () => {
    const api = fakeApi(signedOut());
    api.getState.mockRejectedValue({ code: 'internal', message: 'backend not ready' });
    renderApp(api);
    expect(await screen.findByRole('alert')).toHaveTextContent('backend not ready');
  });
});
