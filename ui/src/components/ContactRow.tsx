/** One person in the team list: star, avatar, name, presence, Call (disabled, with the reason, while a call is under way). */

import type { DirectoryEntry } from '../api';
import { useApi, useReport } from '../context';
import { presenceText } from '../format';
import { Avatar } from './Avatar';
import { Icon } from './Icon';

export function ContactRow({
  entry,
  favourite,
  callBlocked = null,
}: {
  entry: DirectoryEntry;
  favourite: boolean;
  /** Why Call is disabled (a call or an outgoing invitation is under way), or null. */
  callBlocked?: string | null;
}) {
  const api = useApi();
  const report = useReport();
  const name = entry.displayName || entry.uid;
  return (
    <li class={`contact p-${entry.presence}`} data-uid={entry.uid}>
      <button
        type="button"
        class={`star${favourite ? ' on' : ''}`}
        aria-pressed={favourite}
        aria-label={`Favourite ${name}`}
        onClick={() => void api.setFavourite(entry.uid, !favourite).catch(report)}
      >
        <Icon name={favourite ? 'star-filled' : 'star'} />
      </button>
      <Avatar name={name} presence={entry.presence} />
      <div class="contact-text">
        <span class="contact-name">{name}</span>
        <span class="contact-presence" data-testid="presence">
          {presenceText(entry.presence)}
        </span>
      </div>
      <button
        type="button"
        class="btn call small"
        aria-label={`Call ${name}`}
        disabled={callBlocked !== null}
        title={callBlocked ?? undefined}
        aria-description={callBlocked ?? undefined}
        onClick={() => void api.sendInvitation(entry.uid).catch(report)}
      >
        <Icon name="phone" />
        <span>Call</span>
      </button>
    </li>
  );
}
