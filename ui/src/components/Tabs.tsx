/** The main window's tab bar, with the missed-calls badge on History. */

export type Tab = 'team' | 'history' | 'settings';

const TABS: Array<{ id: Tab; label: string }> = [
  { id: 'team', label: 'Team' },
  { id: 'history', label: 'History' },
  { id: 'settings', label: 'Settings' },
];

export function Tabs(props: { current: Tab; onChange: (t: Tab) => void; missed: number }) {
  const onKey = (e: KeyboardEvent): void => {
    const i = TABS.findIndex((t) => t.id === props.current);
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    if (e.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
    if (next === null) return;
    e.preventDefault();
    const t = TABS[next];
    if (!t) return;
    props.onChange(t.id);
    document.getElementById(`tab-${t.id}`)?.focus();
  };

  return (
    <nav class="tabs" role="tablist" aria-label="Sections" onKeyDown={onKey}>
      {TABS.map((t) => (
        <button
          key={t.id}
          id={`tab-${t.id}`}
          type="button"
          role="tab"
          class="tab"
          aria-selected={props.current === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={props.current === t.id ? 0 : -1}
          onClick={() => props.onChange(t.id)}
        >
          {t.label}
          {t.id === 'history' && props.missed > 0 && (
            <span class="badge" aria-label={`${props.missed} missed`}>
              {props.missed}
            </span>
          )}
        </button>
      ))}
    </nav>
  );
}
