/** Sign-in form: server URL, uid, password; shows why the last attempt or session failed. */

import { useState } from 'preact/hooks';

import type { AppError, Session } from '../api';
import { useApi } from '../context';
import { signInErrorText } from '../format';
import { Logo } from './Logo';

export function SignIn({ session }: { session: Session }) {
  const api = useApi();
  const [serverUrl, setServerUrl] = useState(session.serverUrl ?? '');
  const [uid, setUid] = useState(session.uid ?? '');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<AppError | null>(null);

  const busy = pending || session.state === 'signing_in';
  const shown = busy ? null : (failure ?? session.error ?? null);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setFailure(null);
    setPending(true);
    try {
      await api.signIn({ serverUrl: serverUrl.trim(), uid: uid.trim(), password });
      setPassword('');
    } catch (err) {
      setFailure(err as AppError);
    } finally {
      setPending(false);
    }
  };

  return (
    <main class="center-screen signin-screen">
      <form class="card signin" onSubmit={submit} aria-labelledby="signin-title" aria-busy={busy}>
        <div class="signin-head">
          <Logo />
          <h1 id="signin-title">Sign in to Ringer</h1>
        </div>
        {shown && (
          <p class="form-error" role="alert">
            {signInErrorText(shown, serverUrl || session.serverUrl)}
          </p>
        )}
        <label class="field">
          <span>Server</span>
          <input
            name="server"
            type="text"
            inputMode="url"
            spellcheck={false}
            autocapitalize="off"
            required
            placeholder="wss://ringer.example.org"
            value={serverUrl}
            disabled={busy}
            onInput={(e) => setServerUrl(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>User name</span>
          <input
            name="uid"
            required
            autocomplete="username"
            value={uid}
            disabled={busy}
            onInput={(e) => setUid(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            required
            autocomplete="current-password"
            value={password}
            disabled={busy}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button class="btn primary wide" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
