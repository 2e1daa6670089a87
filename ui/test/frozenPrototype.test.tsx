/**
 * The app with Object.prototype frozen, as Tauri's `app.security.freezePrototype` runs it
 * (src-tauri/tauri.conf.json). Tauri freezes it before any page script runs, so the app's modules
 * load after the freeze here too. The freeze cannot be undone, hence a file of its own: Vitest runs
 * each test file in its own isolated worker, so the other files see an ordinary prototype.
 */

import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { IncomingCall } from '../src/api';

Object.freeze(Object.prototype);
const { fakeApi, renderApp, signedInState } = await import('./fakeApi');

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

describe('with a frozen Object.prototype', () => {
  it('really is frozen for this file', () => {
    expect(Object.isFrozen(Object.prototype)).toBe(true);
    // What a library's plain `copy.constructor = …` runs into (modules are strict code).
    expect(() => {
      const copy = {} as { constructor: unknown };
      copy.constructor = undefined;
    }).toThrow(TypeError);
  });

  it('gets past start-up to the team view and keeps re-rendering on events and input', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    const list = await screen.findByRole('list', { name: 'Team' });
    expect(screen.queryByText('Starting Ringer…')).not.toBeInTheDocument();
    expect(within(list).getByText('Bob Keller')).toBeInTheDocument();

    await api.emit('presence', { uid: 'bob', presence: 'online' });
    const bob = screen.getByText('Bob Keller').closest('li');
    expect(bob).toHaveClass('p-online');

    const user = userEvent.setup();
    await user.type(screen.getByRole('searchbox', { name: 'Search people' }), 'kel');
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
  });

  it('renders the incoming-call popup and answers from it', async () => {
    const api = fakeApi(signedInState({ incoming: [inv] }));
    renderApp(api, { search: '?view=incoming&id=i1' });
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog).toHaveAccessibleName('Alice Martin');
    const user = userEvent.setup();
    await user.click(within(dialog).getByRole('button', { name: 'Accept' }));
    await waitFor(() => expect(api.acceptInvitation).toHaveBeenCalledWith('i1'));
  });
});
