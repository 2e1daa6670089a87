/** The team directory: search, favourites first, live presence, call buttons. */

import { useMemo, useState } from 'preact/hooks';

import type { AppState, DirectoryEntry } from '../api';
import { ContactRow } from './ContactRow';

/** Favourites first, then everyone else; each group by display name. */
export function sortContacts(entries: DirectoryEntry[], favourites: string[]): DirectoryEntry[] {
  const fav = new Set(favourites);
  return [...entries].sort((a, b) => {
    const fa = fav.has(a.uid) ? 0 : 1;
    const fb = fav.has(b.uid) ? 0 : 1;
    if (fa !== fb) return fa - fb;
    return a.displayName.localeCompare(b.displayName) || a.uid.localeCompare(b.uid);
  });
}

/** Case-insensitive match on display name or uid. */
export function matches(entry: DirectoryEntry, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return entry.displayName.toLowerCase().includes(q) || entry.uid.toLowerCase().includes(q);
}

/**
 * Why a new call cannot start now, or null when it can: this device is already in a live call,
 * or one of its invitations is still calling or ringing.
 */
export function callBlockedReason(state: Pick<AppState, 'calls' | 'outgoing'>): string | null {
  const live = state.calls.find((c) => c.state === 'active');
  if (live) return `You are in a call with ${live.peerName || live.peer}.`;
  const pending = state.outgoing.find((o) => o.state === 'calling' || o.state === 'ringing');
  if (pending) return `You are already calling ${pending.peerName || pending.peer}.`;
  return null;
}

export function Team({ state }: { state: AppState }) {
  const [query, setQuery] = useState('');
  const me = state.session.uid;
  const favourites = state.settings.favourites;

  const rows = useMemo(
    () =>
      sortContacts(
        state.directory.filter((d) => d.uid !== me && matches(d, query)),
        favourites,
      ),
    [state.directory, favourites, me, query],
  );
  const favSet = new Set(favourites);
  const blocked = callBlockedReason(state);

  return (
    <div class="team">
      <div class="search">
        <input
          type="search"
          placeholder="Search people"
          aria-label="Search people"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      {rows.length === 0 ? (
        <p class="empty">{query ? `Nobody matches “${query}”.` : 'Nobody else is on this server yet.'}</p>
      ) : (
        <ul class="contacts" aria-label="Team">
          {rows.map((d) => (
            <ContactRow key={d.uid} entry={d} favourite={favSet.has(d.uid)} callBlocked={blocked} />
          ))}
        </ul>
      )}
    </div>
  );
}
