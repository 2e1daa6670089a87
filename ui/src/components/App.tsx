/** The main window: loading, sign-in or the signed-in shell, as the backend's session says. */

import { useApi } from '../context';
import { signInErrorText } from '../format';
import { useAppState } from '../store';
import { Loading } from './Loading';
import { MainShell } from './MainShell';
import { SignIn } from './SignIn';

export function App() {
  const api = useApi();
  const { state, error } = useAppState(api);

  if (error) {
    return (
      <main class="center-screen">
        <p role="alert" class="error-text">
          Ringer could not start: {signInErrorText(error)}
        </p>
      </main>
    );
  }
  if (!state) return <Loading />;

  switch (state.session.state) {
    case 'starting':
      return <Loading />;
    case 'signed_out':
    case 'signing_in':
      return <SignIn session={state.session} />;
    case 'signed_in':
      return <MainShell state={state} />;
  }
}
