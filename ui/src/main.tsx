/** Entry point: the main window, or the incoming-call popup when `?view=incoming&id=…`. */

import { render } from 'preact';

import { createApi, toAppError } from './api';
import { Root } from './Root';
import { WebAudioSounds } from './sound';
import './styles/base.css';
import './styles/layout.css';
import './styles/calls.css';

async function start(): Promise<void> {
  const mount = document.getElementById('app');
  if (!mount) return;
  try {
    const api = await createApi();
    render(<Root api={api} sounds={new WebAudioSounds()} search={window.location.search} />, mount);
  } catch (err) {
    mount.textContent = toAppError(err).message;
  }
}

void start();
