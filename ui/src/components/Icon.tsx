/** A few line icons, drawn inline so nothing is fetched. */

export type IconName = 'phone' | 'phone-down' | 'star' | 'star-filled' | 'bell-off' | 'in' | 'out' | 'x';

const PATHS: Record<IconName, string> = {
  phone:
    'M6.6 3.5c.5-.5 1.3-.5 1.8.1l1.7 2.1c.4.5.4 1.2-.1 1.7L9 8.4c.8 1.5 2 2.8 3.5 3.5l1-1c.5-.5 1.2-.5 1.7-.1l2.1 1.7c.6.5.6 1.3.1 1.8l-1.2 1.2c-.8.8-2.1 1.1-3.2.7-3.7-1.3-6.6-4.2-7.9-7.9-.4-1.1-.1-2.4.7-3.2z',
  'phone-down':
    'M2.3 10.6c-.5-.5-.5-1.3 0-1.8C6.6 4.6 13.4 4.6 17.7 8.8c.5.5.5 1.3 0 1.8l-1.5 1.5c-.4.4-1.1.5-1.6.1l-1.8-1.3c-.4-.3-.6-.8-.5-1.2l.2-1.2c-1.6-.6-3.4-.6-5 0l.2 1.2c.1.5-.1.9-.5 1.2l-1.8 1.3c-.5.4-1.2.3-1.6-.1z',
  star: 'M10 2.8l2.2 4.6 5 .6-3.7 3.4 1 5-4.5-2.5-4.5 2.5 1-5L2.8 8l5-.6z',
  'star-filled': 'M10 2.8l2.2 4.6 5 .6-3.7 3.4 1 5-4.5-2.5-4.5 2.5 1-5L2.8 8l5-.6z',
  'bell-off': 'M10 3a4.5 4.5 0 0 0-4.5 4.5V11L4 13.5h12L14.5 11V7.5A4.5 4.5 0 0 0 10 3zM8.5 15.5a1.5 1.5 0 0 0 3 0M3 3l14 14',
  in: 'M15 5L6 14M6 8v6h6',
  out: 'M6 14l9-9M9 5h6v6',
  x: 'M5 5l10 10M15 5L5 15',
};

const FILLED = new Set<IconName>(['phone', 'phone-down', 'star-filled']);

export function Icon({ name }: { name: IconName }) {
  const filled = FILLED.has(name);
  return (
    <svg class={`icon icon-${name}`} width="18" height="18" viewBox="0 0 20 20" aria-hidden="true">
      <path
        d={PATHS[name]}
        fill={filled ? 'currentColor' : 'none'}
        stroke={filled ? 'none' : 'currentColor'}
        stroke-width="1.6"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}
