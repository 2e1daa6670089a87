import { screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { fakeApi, renderApp, signedInState } from './fakeApi';

async function openSettings() {
  const state = signedInState();
  state.settings = {
    sounds: true,
    callWaiting: false,
    meetingLinkTemplate: '',
    startAtLogin: false,
    favourites: [],
  };
  const api = fakeApi(state);
  renderApp(api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('tab', { name: 'Settings' }));
  return { api, user, panel: screen.getByRole('tabpanel') };
}

describe('settings', () => {
  it('shows the server read-only and signs out to change it', async () => {
    const { api, user, panel } = await openSettings();
    const server = within(panel).getByLabelText('Server');
    expect(server).toHaveValue('wss://ringer.test');
    expect(server).toHaveAttribute('readonly');
    await user.click(within(panel).getByRole('button', { name: 'Sign out' }));
    expect(api.signOut).toHaveBeenCalled();
  });

  it('saves each switch through the backend and shows what the backend says', async () => {
    const { api, user, panel } = await openSettings();
    const sounds = within(panel).getByRole('switch', { name: /Sounds/ });
    const waiting = within(panel).getByRole('switch', { name: /Call waiting/ });
    const login = within(panel).getByRole('switch', { name: /Start at login/ });
    expect(sounds).toBeChecked();
    expect(waiting).not.toBeChecked();
    expect(login).not.toBeChecked();

    await user.click(sounds);
    expect(api.updateSettings).toHaveBeenLastCalledWith({ sounds: false });
    await user.click(waiting);
    expect(api.updateSettings).toHaveBeenLastCalledWith({ callWaiting: true });
    await user.click(login);
    expect(api.updateSettings).toHaveBeenLastCalledWith({ startAtLogin: true });

    await api.emit('settings', { sounds: false, callWaiting: true, meetingLinkTemplate: '', startAtLogin: true, favourites: [] });
    expect(sounds).not.toBeChecked();
    expect(waiting).toBeChecked();
    expect(login).toBeChecked();
  });

  it('edits the meeting-link template and saves it on Save', async () => {
    const { api, user, panel } = await openSettings();
    const input = within(panel).getByLabelText('Meeting link');
    const save = within(panel).getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    await user.type(input, 'https://meet.example.org/{{channel}');
    expect(api.updateSettings).not.toHaveBeenCalled();
    await user.click(save);
    expect(api.updateSettings).toHaveBeenCalledWith({ meetingLinkTemplate: 'https://meet.example.org/{channel}' });
    expect(await within(panel).findByText(/Saved/)).toBeInTheDocument();
  });

  it('shows why the backend refused a template', async () => {
    const { api, user, panel } = await openSettings();
    api.updateSettings.mockRejectedValue({ code: 'invalid_argument', message: 'the link must start with https://' });
    await user.type(within(panel).getByLabelText('Meeting link'), 'meet{{channel}');
    await user.click(within(panel).getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid input: the link must start with https://');
    expect(within(panel).queryByText(/Saved/)).toBeNull();
  });
});
