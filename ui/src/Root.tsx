/** Puts the Api and the sounds in context and picks the view from the page's query. */

import { useMemo } from 'preact/hooks';

import type { Api } from './api';
import { App } from './components/App';
import { IncomingWindow } from './components/IncomingWindow';
import { ApiContext, ToneContext } from './context';
import { ToneMixer, type Sounds } from './sound';

export function Root({ api, sounds, search }: { api: Api; sounds: Sounds; search: string }) {
  const mixer = useMemo(() => new ToneMixer(sounds), [sounds]);
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const id = params.get('id');
  return (
    <ApiContext.Provider value={api}>
      <ToneContext.Provider value={mixer}>
        {view === 'incoming' && id ? <IncomingWindow id={id} /> : <App />}
      </ToneContext.Provider>
    </ApiContext.Provider>
  );
}
