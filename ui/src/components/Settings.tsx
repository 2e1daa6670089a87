/** Preferences the backend stores; changing one saves it at once (the template on Save). */

import { useEffect, useState } from 'preact/hooks';

import type { Settings as SettingsT, SettingsPatch } from '../api';
import { useApi, useReport } from '../context';

export function Settings({ settings, serverUrl }: { settings: SettingsT; serverUrl: string }) {
  const api = useApi();
  const report = useReport();
  const [template, setTemplate] = useState(settings.meetingLinkTemplate);
  const [saved, setSaved] = useState(false);

  useEffect(() => setTemplate(settings.meetingLinkTemplate), [settings.meetingLinkTemplate]);

  const update = (patch: SettingsPatch): Promise<void> =>
    api.updateSettings(patch).then(
      () => undefined,
      (e: unknown) => report(e),
    );

  const saveTemplate = async (e: Event): Promise<void> => {
    e.preventDefault();
    setSaved(false);
    try {
      await api.updateSettings({ meetingLinkTemplate: template.trim() });
      setSaved(true);
    } catch (err) {
      report(err);
    }
  };

  return (
    <div class="settings">
      <section class="group" aria-labelledby="set-account">
        <h2 id="set-account">Account</h2>
        <div class="row">
          <label for="set-server">Server</label>
          <input id="set-server" readOnly value={serverUrl} />
        </div>
        <p class="hint">To use another server, sign out and sign in there.</p>
        <button type="button" class="btn ghost small" onClick={() => void api.signOut().catch(report)}>
          Sign out
        </button>
      </section>

      <section class="group" aria-labelledby="set-calls">
        <h2 id="set-calls">Calls</h2>
        <Toggle
          label="Sounds"
          hint="Ringtone for incoming calls, ringback while it rings at the other end."
          checked={settings.sounds}
          onChange={(v) => void update({ sounds: v })}
        />
        <Toggle
          label="Call waiting"
          hint="Let calls ring while you are in a call, instead of answering busy."
          checked={settings.callWaiting}
          onChange={(v) => void update({ callWaiting: v })}
        />
        <form class="template" onSubmit={saveTemplate}>
          <label for="set-template">Meeting link</label>
          <div class="row">
            <input
              id="set-template"
              type="text"
              placeholder="https://meet.example.org/{channel}"
              value={template}
              onInput={(e) => {
                setTemplate(e.currentTarget.value);
                setSaved(false);
              }}
            />
            <button type="submit" class="btn small" disabled={template.trim() === settings.meetingLinkTemplate}>
              Save
            </button>
          </div>
          <p class="hint">
            Opened in your browser when a call is accepted. <code>{'{channel}'}</code> is replaced by the
            call's channel. Leave empty for none.
            {saved && <span class="saved" role="status"> Saved.</span>}
          </p>
        </form>
      </section>

      <section class="group" aria-labelledby="set-app">
        <h2 id="set-app">App</h2>
        <Toggle
          label="Start at login"
          hint="Open Ringer when you log in to this computer."
          checked={settings.startAtLogin}
          onChange={(v) => void update({ startAtLogin: v })}
        />
      </section>
    </div>
  );
}

function Toggle(props: { label: string; hint: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="toggle">
      <input type="checkbox" role="switch" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <span class="toggle-text">
        <span class="toggle-label">{props.label}</span>
        <span class="hint">{props.hint}</span>
      </span>
    </label>
  );
}
