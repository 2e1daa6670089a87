/** The signed-in main window: header, connection banner, tabs, the call dock and dialogs. */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { toAppError, type AppState } from '../api';
import { ReportContext, useApi } from '../context';
import { CallDock } from './CallDock';
import { ConnectionBanner } from './ConnectionBanner';
import { Header } from './Header';
import { History } from './History';
import { IncomingDialog } from './IncomingDialog';
import { Settings } from './Settings';
import { Tabs, type Tab } from './Tabs';
import { Team } from './Team';
import { Toasts, type Toast } from './Toasts';

const MAX_TOASTS = 3;

export function MainShell({ state }: { state: AppState }) {
  const api = useApi();
  const [tab, setTab] = useState<Tab>('team');
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextKey = useRef(1);

  const report = useCallback((err: unknown) => {
    const error = toAppError(err);
    const key = nextKey.current++;
    setToasts((ts) => [...ts, { key, error }].slice(-MAX_TOASTS));
  }, []);

  useEffect(() => {
    let unsub: (() => void) | null = null;
    let alive = true;
    void api.on('error', report).then((u) => {
      if (alive) unsub = u;
      else u();
    });
    return () => {
      alive = false;
      unsub?.();
    };
  }, [api, report]);

  // The popup window shows (and rings) the invitations the backend put there.
  const inline = state.incoming.filter((i) => !i.popup);
  const first = inline[0];

  return (
    <ReportContext.Provider value={report}>
      <div class="shell">
        <Header session={state.session} connection={state.connection} />
        <ConnectionBanner connection={state.connection} />
        <div class="body">
          <div class="content">
            <Tabs current={tab} onChange={setTab} missed={state.missed.count} />
            <section class="panel" id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
              {tab === 'team' && <Team state={state} />}
              {tab === 'history' && <History missed={state.missed.count} />}
              {tab === 'settings' && (
                <Settings settings={state.settings} serverUrl={state.session.serverUrl ?? ''} />
              )}
            </section>
          </div>
          <CallDock
            outgoing={state.outgoing}
            calls={state.calls}
            me={state.session.uid ?? null}
            sounds={state.settings.sounds}
          />
        </div>
        {first && (
          <IncomingDialog
            key={first.id}
            invitation={first}
            sounds={state.settings.sounds}
            more={inline.length - 1}
          />
        )}
        <Toasts toasts={toasts} onClose={(k) => setToasts((ts) => ts.filter((t) => t.key !== k))} />
      </div>
    </ReportContext.Provider>
  );
}
