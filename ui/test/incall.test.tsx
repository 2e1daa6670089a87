import { act, screen, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Call } from '../src/api';
import { fakeApi, renderApp, signedInState } from './fakeApi';

const T0 = new Date('2026-03-02T10:00:00Z').getTime();

function call(over: Partial<Call> = {}): Call {
  return { id: 'c1', peer: 'alice', peerName: 'Alice', direction: 'outgoing', state: 'active', since: T0, ...over };
}

async function flush(): Promise<void> {
  // Lets the fake api's promises settle without advancing the fake clock.
  for (let i = 0; i < 5; i++) await act(async () => undefined);
}

describe('in call', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the peer and a running timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(T0 + 5_000);
    renderApp(fakeApi(signedInState({ calls: [call()] })));
    await flush();
    const region = screen.getByRole('region', { name: 'In call with Alice' });
    const timer = within(region).getByRole('timer');
    expect(timer).toHaveTextContent('0:05');
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(timer).toHaveTextContent('1:05');
    act(() => {
      vi.advanceTimersByTime(3_600_000);
    });
    expect(timer).toHaveTextContent('1:01:05');
  });

  it('hangs up through the backend', async () => {
    const api = fakeApi(signedInState({ calls: [call()] }));
    renderApp(api);
    const region = await screen.findByRole('region', { name: 'In call with Alice' });
    await userEvent.setup().click(within(region).getByRole('button', { name: 'Hang up' }));
    expect(api.hangUp).toHaveBeenCalledWith('c1');
  });

  const ends: Array<[Partial<Call>, string]> = [
    [{ endReason: 'hangup', endedBy: 'me' }, 'You hung up'],
    [{ endReason: 'hangup', endedBy: 'alice' }, 'Alice hung up'],
    [{ endReason: 'connection_lost' }, 'The connection was lost'],
    [{ endReason: 'server_restart' }, 'The server restarted'],
  ];

  it.each(ends)('shows how the call ended: %o', async (patch, text) => {
    const api = fakeApi(signedInState({ calls: [call()] }));
    renderApp(api);
    await screen.findByRole('region', { name: 'In call with Alice' });
    await api.emit('calls', [call({ state: 'ended', endedAt: T0 + 125_000, ...patch })]);
    const region = screen.getByRole('region', { name: 'Call with Alice ended' });
    expect(within(region).getByRole('status')).toHaveTextContent(`${text} · 2:05`);
    expect(within(region).queryByRole('button', { name: 'Hang up' })).toBeNull();
    expect(within(region).queryByRole('timer')).toBeNull();
    await userEvent.setup().click(within(region).getByRole('button', { name: 'Close' }));
    expect(api.dismiss).toHaveBeenCalledWith('c1');
  });

  it('offers to reopen the meeting link when there is one', async () => {
    const api = fakeApi(signedInState({ calls: [call({ meetingUrl: 'https://meet.example.org/c1' })] }));
    renderApp(api);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Open meeting' }));
    expect(api.openMeeting).toHaveBeenCalledWith('c1');
  });

  it('has no meeting button without a link', async () => {
    renderApp(fakeApi(signedInState({ calls: [call()] })));
    await screen.findByRole('region', { name: 'In call with Alice' });
    expect(screen.queryByRole('button', { name: 'Open meeting' })).toBeNull();
  });
});
