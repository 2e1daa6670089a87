/** Shown until the backend reports the session state (e.g. during auto sign-in). */

export function Loading() {
  return (
    <main class="center-screen">
      <div class="loading" role="status" aria-live="polite">
        <span class="spinner" aria-hidden="true" />
        <span>Starting Ringer…</span>
      </div>
    </main>
  );
}
