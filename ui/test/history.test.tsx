import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { CallRecord } from '../src/api';
import { fakeApi, renderApp, signedInState } from './fakeApi';

const T = new Date('2026-03-02T10:00:00Z').getTime();

const records: CallRecord[] = [
  { id: 'r1', peer: 'alice', peerName: 'Alice Martin', direction: 'incoming', outcome: 'canceled', missed: true, startedAt: T, endedAt: T + 20_000 },
  { id: 'r2', peer: 'bob', peerName: 'Bob Keller', direction: 'outgoing', outcome: 'answered', reason: 'hangup', missed: false, startedAt: T - 900_000, answeredAt: T - 895_000, endedAt: T - 770_000 },
  { id: 'r3', peer: 'carol', direction: 'outgoing', outcome: 'failed', reason: 'peer_offline', missed: false, startedAt: T - 1_800_000, endedAt: T - 1_770_000 },
  { id: 'r4', peer: 'dan', peerName: 'Dan Okafor', direction: 'outgoing', outcome: 'refused', reason: 'busy', missed: false, startedAt: T - 3_600_000, endedAt: T - 3_599_000 },
  { id: 'r5', peer: 'erin', peerName: 'Erin Walsh', direction: 'incoming', outcome: 'refused', reason: 'declined', missed: false, startedAt: T - 7_200_000, endedAt: T - 7_190_000 },
];

async function openHistory(missed = 0, recs = records) {
  const api = fakeApi(signedInState({ missed: { count: missed } }));
  api.getHistory.mockResolvedValue(recs);
  renderApp(api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('tab', { name: /History/ }));
  const list = await screen.findByRole('list', { name: 'Call history' });
  return { api, user, list };
}

function item(list: HTMLElement, name: string): HTMLElement {
  const li = within(list).getByText(name).closest('li');
  if (!li) throw new Error(name);
  return li;
}

describe('history', () => {
  it('lists calls in and out with outcome, time and duration', async () => {
    const { list } = await openHistory();
    expect(within(list).getAllByRole('listitem')).toHaveLength(5);
    expect(item(list, 'Bob Keller')).toHaveTextContent('Outgoing, Answered · 2:05');
    expect(item(list, 'carol')).toHaveTextContent('carol is offline');
    expect(item(list, 'Dan Okafor')).toHaveTextContent('Dan Okafor is busy');
    expect(item(list, 'Erin Walsh')).toHaveTextContent('Incoming, Declined');
    const time = item(list, 'Bob Keller').querySelector('time');
    expect(time).toHaveAttribute('dateTime', new Date(T - 900_000).toISOString());
    expect(time?.textContent).not.toBe('');
  });

  it('highlights missed calls', async () => {
    const { list } = await openHistory();
    const missed = item(list, 'Alice Martin');
    expect(missed).toHaveClass('missed');
    expect(missed).toHaveTextContent('Incoming, Missed');
    expect(item(list, 'Bob Keller')).not.toHaveClass('missed');
  });

  it('calls back', async () => {
    const { api, user } = await openHistory();
    await user.click(screen.getByRole('button', { name: 'Call back Alice Martin' }));
    expect(api.sendInvitation).toHaveBeenCalledWith('alice');
  });

  it('clears the missed badge by opening the history', async () => {
    const { api } = await openHistory(2);
    await waitFor(() => expect(api.markMissedSeen).toHaveBeenCalledTimes(1));
    await api.emit('missed', { count: 0 });
    expect(screen.queryByLabelText(/missed/)).toBeNull();
  });

  it('does not mark anything seen without missed calls', async () => {
    const { api } = await openHistory(0);
    expect(api.markMissedSeen).not.toHaveBeenCalled();
  });

  it('updates from the history event', async () => {
    const { api, list } = await openHistory();
    await waitFor(() => expect(api.listeners('history')).toBe(1));
    await api.emit('history', [records[1] as CallRecord]);
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
  });

  it('says when there are no calls', async () => {
    const api = fakeApi(signedInState());
    renderApp(api);
    await userEvent.setup().click(await screen.findByRole('tab', { name: /History/ }));
    expect(await screen.findByText('No calls yet.')).toBeInTheDocument();
    expect(api.getHistory).toHaveBeenCalled();
  });

  it('shows the missed badge on the tab', async () => {
    renderApp(fakeApi(signedInState({ missed: { count: 3 } })));
    expect(await screen.findByLabelText('3 missed')).toBeInTheDocument();
  });
});
