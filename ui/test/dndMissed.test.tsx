import { screen, waitFor, within } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { CallRecord } from '../src/api';
import { outcomeText } from '../src/format';
import { fakeApi, renderApp, signedInState } from './fakeApi';

const T = new Date('2026-03-02T10:00:00Z').getTime();

const dnd = (id: string, peer: string, peerName: string, at: number): CallRecord => ({
  id,
  peer,
  peerName,
  direction: 'incoming',
  outcome: 'refused',
  reason: 'dnd',
  missed: true,
  startedAt: at,
  endedAt: at,
});

const records: CallRecord[] = [
  dnd('d2', 'carol', 'Carol King', T),
  dnd('d1', 'alice', 'Alice Martin', T - 60_000),
  { id: 'c1', peer: 'bob', peerName: 'Bob Keller', direction: 'incoming', outcome: 'canceled', missed: true, startedAt: T - 600_000, endedAt: T - 590_000 },
];

describe('calls missed while Do not disturb', () => {
  it('say why they never rang', () => {
    expect(outcomeText(records[0] as CallRecord)).toBe('Missed · Do not disturb');
    expect(outcomeText(records[2] as CallRecord)).toBe('Missed');
    // A device's own refusal with reason dnd is a decline, not a missed call.
    expect(outcomeText({ ...(records[0] as CallRecord), missed: false })).toBe('Declined');
  });

  it('raise the badge when DND ends, and History lists them highlighted', async () => {
    const api = fakeApi(signedInState({ missed: { count: 0 } }));
    api.getHistory.mockResolvedValue(records);
    renderApp(api);
    const user = userEvent.setup();
    const tab = await screen.findByRole('tab', { name: /History/ });
    expect(within(tab).queryByLabelText(/missed/)).toBeNull();

    // The backend counts them once the status is available again.
    await waitFor(() => expect(api.listeners('missed')).toBeGreaterThan(0));
    await api.emit('missed', { count: 2 });
    expect(within(tab).getByLabelText('2 missed')).toHaveTextContent('2');
    expect(api.markMissedSeen).not.toHaveBeenCalled();

    await user.click(tab);
    const list = await screen.findByRole('list', { name: 'Call history' });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveClass('missed');
    expect(items[0]).toHaveTextContent('Carol King');
    expect(items[0]).toHaveTextContent('Incoming, Missed · Do not disturb');
    expect(items[1]).toHaveClass('missed');
    expect(items[1]).toHaveTextContent('Alice Martin');
    // Looking at them is seeing them.
    await waitFor(() => expect(api.markMissedSeen).toHaveBeenCalledTimes(1));
  });
});
