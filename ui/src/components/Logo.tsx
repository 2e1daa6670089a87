/** The app's mark: a handset in a rounded square. */

export function Logo({ size = 36 }: { size?: number }) {
  return (
    <svg class="logo" width={size} height={size} viewBox="0 0 36 36" aria-hidden="true">
      <rect width="36" height="36" rx="10" class="logo-bg" />
      <path
        class="logo-fg"
        d="M13.2 9.5c.6-.6 1.6-.6 2.2.1l2.1 2.6c.5.6.5 1.5-.1 2.1l-1.3 1.3c.9 1.9 2.4 3.4 4.3 4.3l1.3-1.3c.6-.6 1.5-.6 2.1-.1l2.6 2.1c.7.6.7 1.6.1 2.2l-1.5 1.5c-1 1-2.6 1.4-4 .9-4.6-1.6-8.2-5.2-9.8-9.8-.5-1.4-.1-3 .9-4z"
      />
    </svg>
  );
}
