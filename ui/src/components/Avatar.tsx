/** Initials in a circle, with a presence dot. */

import type { Presence } from '../api';
import { presenceText } from '../format';

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

export function Avatar({ name, presence }: { name: string; presence?: Presence }) {
  return (
    <span class="avatar" aria-hidden="true">
      {initials(name)}
      {presence && <span class={`presence-dot p-${presence}`} title={presenceText(presence)} />}
    </span>
  );
}
