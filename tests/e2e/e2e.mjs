// The end-to-end test of the desktop app: the real ringer-app (driven through tauri-driver and
// WebKitWebDriver) against a real ringer-server, the other party played by the `ringer` CLI, the
// notifications recorded by tests/e2e/notifyd.py. Started by tests/e2e/run.sh, which provides
// the environment below; prints one line per scenario and `N passed, N failed` at the end.

import { spawn, execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ELEMENT_KEY, Session } from './webdriver.mjs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run tests/e2e/run.sh)`);
  return value;
};

const DRIVER = env('RINGER_E2E_DRIVER');
const APP = env('RINGER_E2E_APP');
// The binary itself (APP may be a wrapper that keeps the app's log), for launches outside WebDriver.
const APP_BIN = process.env.RINGER_E2E_APP_BIN || APP;
const CLI = env('RINGER_E2E_CLI');
const SERVER = env('RINGER_E2E_SERVER_URL');
const NOTIFY_LOG = env('RINGER_E2E_NOTIFY_LOG');
const TRAY_LOG = env('RINGER_E2E_TRAY_LOG');
const ARTIFACTS = env('RINGER_E2E_ARTIFACTS');
const SUMMARY = env('RINGER_E2E_SUMMARY');
const ME = { uid: 'ada', name: 'Ada App', password: env('RINGER_E2E_ADA_PASSWORD') };
const PEER = { uid: 'bob', name: 'Bob Cli', password: env('RINGER_E2E_BOB_PASSWORD') };

const LOGS = join(ARTIFACTS, 'logs');
mkdirSync(LOGS, { recursive: true });

// ---------------------------------------------------------------------------------------------
// Small tools

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
async function waitFor(what, probe, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(150);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** An XPath string literal for any text. */
function xq(text) {
  if (!text.includes("'")) return `'${text}'`;
  return `concat('${text.split("'").join(`', "'", '`)}')`;
}

/** A button by its accessible name: its aria-label, else its text. */
const button = (name) =>
  `//button[@aria-label=${xq(name)} or (not(@aria-label) and normalize-space(.)=${xq(name)})]`;
/** An input by the text of the label that wraps it. */
const field = (label) => `//label[.//span[normalize-space(.)=${xq(label)}]]//input`;
const heading = (text) => `//*[self::h1 or self::h2][normalize-space(.)=${xq(text)}]`;

/** The notification server's records so far. */
function notices() {
  if (!existsSync(NOTIFY_LOG)) return [];
  return readFileSync(NOTIFY_LOG, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Ids of the notifications still open, as the notification server's records say. */
function openNotices() {
  const open = new Set();
  for (const n of notices()) {
    if (n.method === 'Notify') open.add(n.id);
    else if (n.method === 'CloseNotification' || (n.method === 'InvokeAction' && n.ok)) open.delete(n.id);
  }
  return open;
}

/** Presses `action` on notification `id` through the notification server's test interface. */
function pressAction(id, action) {
  return new Promise((resolve, reject) => {
    execFile(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--reply-timeout=5000',
        '--dest=org.freedesktop.Notifications',
        '/org/freedesktop/Notifications',
        'org.ringer.E2E.InvokeAction',
        `uint32:${id}`,
        `string:${action}`,
      ],
      { timeout: 10_000 },
      (error, stdout) => {
        if (error) reject(error);
        else if (!/boolean true/.test(stdout)) reject(new Error(`notification ${id} has no open action ${action}`));
        else resolve();
      },
    );
  });
}

function run(command, args, timeoutMs = 10_000) {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let cliCount = 0;
const clis = new Set();

/** A `ringer` CLI run as the peer, with `--json`; its events are parsed as they arrive. */
function cli(args, { timeoutMs = 60_000 } = {}) {
  cliCount += 1;
  const name = `cli-${cliCount}-${args[0]}`;
  const full = ['--server', SERVER, '--user', PEER.uid, '--password-stdin', '--json', '--device-id', `e2e-${name}`, ...args];
  const log = createWriteStream(join(LOGS, `${name}.log`));
  log.write(`$ ringer ${full.join(' ')}\n`);
  const child = spawn(CLI, full, { stdio: ['pipe', 'pipe', 'pipe'] });
  const run = { name, child, events: [], stderr: '', code: null };
  clis.add(run);
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    log.write(chunk);
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        run.events.push(JSON.parse(line));
      } catch {
        // not an event line
      }
    }
  });
  child.stderr.on('data', (chunk) => {
    log.write(chunk);
    run.stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  run.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clis.delete(run);
      run.code = code ?? `signal ${signal}`;
      log.end(`\n[exit ${run.code}]\n`);
      resolve(run.code);
    });
  });
  child.stdin.end(`${PEER.password}\n`);
  run.event = (name, timeout = 15_000) =>
    waitFor(`the CLI's ${name} event (${run.name})`, () => run.events.find((e) => e.event === name), timeout);
  run.exit = (timeout = 20_000) =>
    Promise.race([
      run.exited,
      sleep(timeout).then(() => {
        throw new Error(`${run.name} did not exit within ${timeout} ms; events: ${run.events.map((e) => e.event).join(', ')}`);
      }),
    ]);
  return run;
}

// ---------------------------------------------------------------------------------------------
// The app under test

/** The driven app: one WebDriver session, and the handle of its main window. */
class App {
  static async start() {
    const session = await Session.start(DRIVER, APP);
    const app = new App(session);
    app.main = await waitFor('the main window', async () => {
      for (const handle of await session.handles()) {
        await session.switchTo(handle);
        if (!(await session.url()).includes('view=incoming')) return handle;
      }
      return null;
    });
    return app;
  }

  constructor(session) {
    this.s = session;
    this.main = null;
  }

  async toMain() {
    await this.s.switchTo(this.main);
  }

  /** The first element matching `xpath` in the current window, once there is one. */
  async find(xpath, what = xpath, timeoutMs) {
    return waitFor(what, async () => (await this.s.findAll(xpath))[0], timeoutMs);
  }

  async present(xpath) {
    return (await this.s.findAll(xpath)).length > 0;
  }

  async click(xpath, what) {
    const element = await this.find(xpath, what);
    await this.s.click(element);
  }

  /** Clicks a button that closes its own window: the window may be gone before the reply. */
  async clickClosing(xpath, what) {
    const element = await this.find(xpath, what);
    try {
      await this.s.click(element);
    } catch (e) {
      if (!/no such window/.test(e.message)) throw e;
    }
  }

  async text() {
    return this.s.pageText();
  }

  async waitText(text, timeoutMs) {
    return waitFor(`"${text}" on screen`, async () => (await this.text()).includes(text), timeoutMs);
  }

  async snap(name) {
    // WebDriver screenshots show the last painted frame: let the page paint what it shows now.
    await this.s.execute('return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));');
    writeFileSync(join(ARTIFACTS, `${name}.png`), await this.s.screenshot());
  }

  /** The incoming-call popup windows' handles; leaves the main window current. */
  async popups() {
    const found = [];
    for (const handle of await this.s.handles()) {
      if (handle === this.main) continue;
      try {
        await this.s.switchTo(handle);
        if ((await this.s.url()).includes('view=incoming')) found.push(handle);
      } catch {
        // a window that closed meanwhile
      }
    }
    await this.toMain();
    return found;
  }

  async waitPopup() {
    const handle = await waitFor('the incoming-call popup window', async () => (await this.popups())[0], 15_000);
    await this.s.switchTo(handle);
    return handle;
  }

  async waitPopupGone(handle) {
    await waitFor('the popup window to close', async () => !(await this.s.handles()).includes(handle), 15_000);
    await this.toMain();
  }

  /** Back to a quiet main window: Team tab, no live call (after a failed scenario), no call cards. */
  async reset() {
    await this.toMain();
    for (const hangUp of await this.s.findAll(`//*[contains(@class,'call-card')]${button('Hang up')}`)) {
      await this.s.click(hangUp).catch(() => {});
    }
    await waitFor('no live call', async () => !(await this.present(`//*[contains(@class,'call-card') and @data-state='active']`)));
    for (const close of await this.s.findAll(`//*[contains(@class,'call-card')]${button('Close')}`)) {
      await this.s.click(close).catch(() => {});
    }
    // A scenario that failed in do-not-disturb must not make the next ones refused.
    const dnd = await this.find(DND_SWITCH, 'the do-not-disturb switch');
    if ((await this.s.attribute(dnd, 'aria-checked')) === 'true') {
      await this.s.click(dnd);
      await waitFor('status Available', async () => (await this.s.attribute(dnd, 'aria-checked')) === 'false');
    }
    await this.click(`//button[@role='tab' and starts-with(normalize-space(.), 'Team')]`, 'the Team tab');
  }

  async quit() {
    await this.s.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

let app;
const DND_SWITCH = `//header//button[@role='switch'][normalize-space(.)='Do not disturb']`;
const DIALOG = `//*[@role='alertdialog']`;
const contactRow = (name) => `//ul[@aria-label='Team']/li[.//*[normalize-space(.)=${xq(name)}]]`;
const callCard = (state) => `//*[contains(@class,'call-card') and @data-state=${xq(state)}]`;

/** Notification-server records made since `since` (an index into the log). */
const newNotices = (since) => notices().slice(since);

/** The app's session token in the Secret Service, or '' when there is none. */
async function storedToken() {
  const found = await run('secret-tool', ['lookup', 'service', 'ringer-app', 'username', `${ME.uid}@${SERVER}`]);
  return found.code === 0 ? found.stdout.trim() : '';
}

/** Fills the sign-in form from scratch (fields may hold an earlier attempt). */
async function fillSignIn(password) {
  for (const [label, value] of [
    ['Server', SERVER],
    ['User name', ME.uid],
    ['Password', password],
  ]) {
    const input = await app.find(field(label), `the ${label} field`);
    await app.s.clear(input);
    await app.s.type(input, value);
  }
}

const enabled = (element) => app.s.execute('return !arguments[0].disabled;', [{ [ELEMENT_KEY]: element }]);

async function wrongPassword() {
  app = await App.start();
  await app.find(heading('Sign in to Ringer'), 'the sign-in form', 30_000);
  check(notices().length === 0, 'a notification appeared before anything happened');
  await fillSignIn(`${ME.password}-wrong`);
  await app.click(button('Sign in'));
  const alert = await app.find(`//form//*[@role='alert']`, 'the sign-in error', 20_000);
  const said = (await app.s.text(alert)).trim();
  check(said === 'Wrong user name or password.', `sign-in error says: ${JSON.stringify(said)}`);
  // Still the form, ready for another try: every field and the button enabled, entries kept.
  check(await app.present(heading('Sign in to Ringer')), 'the sign-in form went away');
  check(!(await app.present(contactRow(PEER.name))), 'the team view is shown after a wrong password');
  for (const label of ['Server', 'User name', 'Password']) {
    check(await enabled(await app.find(field(label))), `the ${label} field is disabled after a failed sign-in`);
  }
  const submit = await app.find(button('Sign in'));
  check(await enabled(submit), 'the Sign in button is disabled after a failed sign-in');
  check((await app.s.attribute(await app.find(field('User name')), 'value')) === ME.uid, 'the user name was not kept');
  check((await storedToken()) === '', 'a token was stored after a wrong password');
  await app.snap('01-wrong-password');
}

async function signIn() {
  // Scenario 1 may have failed before the app was up.
  if (!app) app = await App.start();
  await app.find(heading('Sign in to Ringer'), 'the sign-in form', 30_000);
  await fillSignIn(ME.password);
  await app.snap('01-sign-in');
  await app.click(button('Sign in'));
  const row = await app.find(contactRow(PEER.name), `${PEER.name} in the team list`, 20_000);
  check((await app.s.text(row)).includes('Offline'), `${PEER.name} should be offline: ${await app.s.text(row)}`);
  // Own name in the header, not in the list.
  await app.waitText(ME.name);
  check(!(await app.present(contactRow(ME.name))), 'the team list shows the signed-in user');
  await app.snap('02-team');
}

async function callAcceptedThenHangUp() {
  await app.reset();
  const before = notices().length;

  // A listener that lets it ring: the app shows "Ringing…", then cancels it.
  const ringer = cli(['listen', '--once']);
  await ringer.event('logged_in');
  const row = contactRow(PEER.name);
  await waitFor(`${PEER.name} online`, async () => (await app.s.text(await app.find(row))).includes('Available'));
  await app.click(`${row}${button(`Call ${PEER.name}`)}`);
  await app.find(callCard('ringing'), 'the outgoing call ringing');
  await app.waitText(`Ringing ${PEER.name}…`);
  await ringer.event('remote_invitation_received');
  await app.snap('03-outgoing-ringing');
  await app.click(`${callCard('ringing')}${button('Cancel')}`);
  await app.find(callCard('canceled'), 'the canceled call card');
  await app.waitText('Call canceled');
  check((await ringer.exit()) === 1, `listen --once after a cancel should exit 1, got ${ringer.code}`);
  check(ringer.events.some((e) => e.event === 'remote_invitation_canceled'), 'the CLI did not see the cancel');
  await app.click(`${callCard('canceled')}${button('Close')}`);

  // A listener that accepts: in call, then hang up from the app.
  const listener = cli(['listen', '--accept', '--once']);
  await listener.event('logged_in');
  await app.click(`${row}${button(`Call ${PEER.name}`)}`);
  await app.find(callCard('active'), 'the in-call view', 15_000);
  await app.waitText(`In call with ${PEER.name}`);
  await listener.event('remote_invitation_accepted');
  const timer = await app.find(`${callCard('active')}//*[@role='timer']`, 'the call timer');
  check(/^\d+:\d\d$/.test((await app.s.text(timer)).trim()), `odd timer text: ${await app.s.text(timer)}`);
  await app.snap('04-in-call');
  await app.click(`${callCard('active')}${button('Hang up')}`);
  await app.find(callCard('ended'), 'the ended call card');
  await app.waitText(`Call with ${PEER.name} ended`);
  await app.waitText('You hung up');
  check((await listener.exit()) === 0, `listen --accept --once should exit 0, got ${listener.code}`);
  const ended = listener.events.find((e) => e.event === 'call_ended');
  check(ended, 'the CLI saw no call_ended');
  check(ended.reason === 'hangup' && ended.by === ME.uid, `call_ended: ${JSON.stringify(ended)}`);
  await app.snap('05-call-ended');
  check(newNotices(before).length === 0, `outgoing calls raised notifications: ${JSON.stringify(newNotices(before))}`);
}

async function callRefusedBusy() {
  await app.reset();
  const listener = cli(['listen', '--refuse', '--reason', 'busy', '--once']);
  await listener.event('logged_in');
  const row = contactRow(PEER.name);
  await waitFor(`${PEER.name} online`, async () => (await app.s.text(await app.find(row))).includes('Available'));
  await app.click(`${row}${button(`Call ${PEER.name}`)}`);
  const card = await app.find(callCard('refused'), 'the refused call card');
  const text = await app.s.text(card);
  check(text.includes(`${PEER.name} is busy`), `refused card says: ${text}`);
  check(text.includes('The call was refused.'), `refused card says: ${text}`);
  check(await app.present(`${callCard('refused')}${button('Call again')}`), 'no Call again button');
  await app.snap('06-refused-busy');
  check((await listener.exit()) === 0, `listen --refuse --once should exit 0, got ${listener.code}`);
  await app.click(`${callCard('refused')}${button('Close')}`);
}

/** The Notify record of the incoming call from the peer made since `since`. */
async function incomingNotice(since, content) {
  const notice = await waitFor('the incoming-call notification', () =>
    newNotices(since).find((n) => n.method === 'Notify' && n.summary === `Incoming call from ${PEER.name}`),
  );
  check(notice.body === (content ?? ''), `notification body: ${JSON.stringify(notice.body)}`);
  const keys = notice.actions.map(([key]) => key);
  check(keys.includes('accept') && keys.includes('decline'), `notification actions: ${JSON.stringify(notice.actions)}`);
  check(
    notice.actions.some(([key, label]) => key === 'accept' && label === 'Accept'),
    `Accept label: ${JSON.stringify(notice.actions)}`,
  );
  check(notice.hints['sound-name'] === 'phone-incoming-call', `notification hints: ${JSON.stringify(notice.hints)}`);
  return notice;
}

async function incomingAcceptedInPopup() {
  await app.reset();
  const before = notices().length;
  const caller = cli(['call', ME.uid, '--content', 'lunch?', '--hangup-after', '3']);
  const sent = await caller.event('invitation_sent');
  const notice = await incomingNotice(before, 'lunch?');
  const popup = await app.waitPopup();
  check((await app.s.url()).includes(`id=${sent.id}`), `the popup is not for ${sent.id}: ${await app.s.url()}`);
  await app.find(`//*[@role='alertdialog']`, 'the incoming-call dialog');
  const text = await app.text();
  check(text.includes(PEER.name) && text.includes('is calling you') && text.includes('lunch?'), `popup says: ${text}`);
  await app.snap('07-incoming-popup');
  await app.clickClosing(`//*[@role='alertdialog']${button('Accept')}`);
  const accepted = await caller.event('local_invitation_accepted');
  check(accepted.peer === ME.uid, `accepted by ${accepted.peer}`);
  await app.waitPopupGone(popup);
  await waitFor('CloseNotification of the incoming-call notification', () =>
    newNotices(before).find((n) => n.method === 'CloseNotification' && n.id === notice.id),
  );
  await app.find(callCard('active'), 'the in-call view after accepting');
  await app.waitText(`In call with ${PEER.name}`);
  // The CLI hangs up after 3 s.
  check((await caller.exit()) === 0, `call should exit 0, got ${caller.code}`);
  await app.find(callCard('ended'), 'the ended call card');
  await app.waitText(`${PEER.name} hung up`);
  check(
    !newNotices(before).some((n) => n.method === 'Notify' && n.summary.startsWith('Missed')),
    'an answered call was notified as missed',
  );
}

async function incomingAcceptedFromNotification() {
  await app.reset();
  const before = notices().length;
  const caller = cli(['call', ME.uid, '--hangup-after', '3']);
  const notice = await incomingNotice(before, null);
  const popup = await app.waitPopup();
  await app.toMain();
  await pressAction(notice.id, 'accept');
  const accepted = await caller.event('local_invitation_accepted');
  check(accepted.peer === ME.uid, `accepted by ${accepted.peer}`);
  await app.waitPopupGone(popup);
  await app.find(callCard('active'), 'the in-call view after accepting from the notification');
  await app.waitText(`In call with ${PEER.name}`);
  check((await caller.exit()) === 0, `call should exit 0, got ${caller.code}`);
  await app.find(callCard('ended'), 'the ended call card');
}

async function incomingCanceledIsMissed() {
  await app.reset();
  const before = notices().length;
  const caller = cli(['call', ME.uid, '--content', 'quick question', '--cancel-after', '2']);
  const notice = await incomingNotice(before, 'quick question');
  const popup = await app.waitPopup();
  await app.find(`//*[@role='alertdialog']`, 'the incoming-call dialog');
  check(await app.present(`//*[@role='alertdialog']${button('Decline')}`), 'no Decline button');
  await app.toMain();
  check(!(await app.present(`//*[@role='alertdialog']`)), 'the main window also shows the popup call');
  check((await caller.exit()) === 1, `a canceled call should exit 1, got ${caller.code}`);
  check(caller.events.some((e) => e.event === 'local_invitation_canceled'), 'the CLI did not cancel');
  await app.waitPopupGone(popup);
  await waitFor('CloseNotification of the canceled call', () =>
    newNotices(before).find((n) => n.method === 'CloseNotification' && n.id === notice.id),
  );
  const missed = await waitFor('the missed-call notification', () =>
    newNotices(before).find((n) => n.method === 'Notify' && n.summary === `Missed call from ${PEER.name}`),
  );
  check(
    !missed.actions.some(([key]) => key === 'accept' || key === 'decline'),
    `the missed-call notification offers to answer: ${JSON.stringify(missed.actions)}`,
  );
  const tab = await app.find(`//button[@role='tab' and starts-with(normalize-space(.), 'History')]`);
  await waitFor('the missed-call badge', async () => (await app.present(`//button[@role='tab']//*[@aria-label='1 missed']`)));
  await app.s.click(tab);
  const record = await app.find(`//ul[@aria-label='Call history']/li[1]`, 'the newest history record');
  check((await app.s.attribute(record, 'data-missed')) === 'true', 'the newest record is not marked missed');
  const shown = async () => {
    const [first] = await app.s.findAll(`//ul[@aria-label='Call history']/li[1]`);
    return first ? app.s.execute('return arguments[0].innerText;', [{ [ELEMENT_KEY]: first }]) : '';
  };
  try {
    await waitFor('the missed call from the peer in History', async () => {
      const text = await shown();
      return text.includes(PEER.name) && text.includes('Missed');
    });
  } catch (e) {
    throw new Error(`${e.message}; newest record: ${JSON.stringify(await shown())}`);
  }
  await waitFor('the badge to clear once History is shown', async () => !(await app.present(`//button[@role='tab']//*[@class='badge']`)));
  await app.snap('08-history');
}

/** Whether an instance of the app owns its single-instance name on the session bus. */
async function instanceRunning() {
  const { stdout } = await run('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    'string:org.ringer.app.SingleInstance',
  ]);
  return /boolean true/.test(stdout);
}

async function restartSignedInFromKeyring() {
  const stored = await run('secret-tool', ['search', '--all', 'service', 'ringer-app']);
  check(stored.stdout.includes(`${ME.uid}@${SERVER}`) || stored.stderr.includes(`${ME.uid}@${SERVER}`), `no token for ${ME.uid} in the Secret Service: ${stored.stdout}${stored.stderr}`);
  check(await instanceRunning(), 'the app does not hold its single-instance name on the bus');
  await app.quit();
  app = null;
  // A second instance would hand over to the first and exit: wait until the first is gone.
  await waitFor('the first instance to exit', async () => !(await instanceRunning()));
  app = await App.start();
  let sawSignIn = false;
  await waitFor(
    'the team view after a restart',
    async () => {
      if (await app.present(heading('Sign in to Ringer'))) sawSignIn = true;
      return app.present(contactRow(PEER.name));
    },
    30_000,
  );
  check(!sawSignIn, 'the sign-in form was shown although a token was stored');
  await app.waitText('Connected');
  await app.snap('09-restart-team');
}

/** What a caller sees when the app declines its call, and what the app leaves behind. */
async function expectDeclined(caller, popup, notice, before) {
  const refused = await caller.event('local_invitation_refused');
  check(refused.peer === ME.uid && refused.reason === 'declined', `local_invitation_refused: ${JSON.stringify(refused)}`);
  check((await caller.exit()) === 1, `a refused call should exit 1, got ${caller.code}`);
  await app.waitPopupGone(popup);
  await waitFor('the incoming-call notification to close', () => !openNotices().has(notice.id));
  check(!(await app.present(DIALOG)), 'the main window shows an incoming-call dialog');
  check(!(await app.present(callCard('active'))), 'a declined call shows as a live call');
  check(
    !newNotices(before).some((n) => n.method === 'Notify' && n.summary.startsWith('Missed')),
    'a declined call was notified as missed',
  );
}

async function incomingDeclinedInPopup() {
  await app.reset();
  const before = notices().length;
  const caller = cli(['call', ME.uid, '--content', 'got a minute?']);
  const sent = await caller.event('invitation_sent');
  const notice = await incomingNotice(before, 'got a minute?');
  const popup = await app.waitPopup();
  check((await app.s.url()).includes(`id=${sent.id}`), `the popup is not for ${sent.id}: ${await app.s.url()}`);
  await app.find(DIALOG, 'the incoming-call dialog');
  await app.clickClosing(`${DIALOG}${button('Decline')}`);
  await expectDeclined(caller, popup, notice, before);
  // The dialog's Decline withdraws the notification itself (nobody pressed it).
  check(
    newNotices(before).some((n) => n.method === 'CloseNotification' && n.id === notice.id),
    'the app did not withdraw the incoming-call notification',
  );
}

async function incomingDeclinedFromNotification() {
  await app.reset();
  const before = notices().length;
  const caller = cli(['call', ME.uid]);
  const notice = await incomingNotice(before, null);
  const popup = await app.waitPopup();
  await app.toMain();
  await pressAction(notice.id, 'decline');
  await expectDeclined(caller, popup, notice, before);
}

// Counts, in the page it runs in, the oscillators started and stopped from now on: sound.ts plays
// the ringtone as two oscillators and stops both when the tone stops.
const TONE_PROBE = `
  const rec = { started: 0, stopped: 0, errors: [] };
  window.__e2eTones = rec;
  const proto = OscillatorNode.prototype;
  const start = proto.start;
  const stop = proto.stop;
  proto.start = function (...args) { rec.started += 1; return start.apply(this, args); };
  proto.stop = function (...args) {
    try { const r = stop.apply(this, args); rec.stopped += 1; return r; }
    catch (e) { rec.errors.push(String(e)); throw e; }
  };
  return true;`;

async function silenceStopsRingtone() {
  await app.reset();
  const before = notices().length;
  const caller = cli(['call', ME.uid, '--content', 'ring ring']);
  const notice = await incomingNotice(before, 'ring ring');
  const popup = await app.waitPopup();
  await app.find(DIALOG, 'the incoming-call dialog');
  check(await app.s.execute('return typeof window.AudioContext === "function";'), 'no WebAudio in the popup');
  await app.s.execute(TONE_PROBE);
  const tones = () => app.s.execute('return window.__e2eTones;');
  check((await tones()).stopped === 0, 'the ringtone stopped before Silence was pressed');
  await app.click(`${DIALOG}${button('Silence')}`);
  // Stopping two oscillators means the two-tone ringtone was playing (stop() before start()
  // throws) and is now off.
  await waitFor('the ringtone to stop', async () => (await tones()).stopped >= 2);
  await app.find(`${DIALOG}//button[normalize-space(.)='Silenced']`, 'the Silenced button');
  check(!(await enabled(await app.find(`${DIALOG}//button[normalize-space(.)='Silenced']`))), 'Silenced is still pressable');
  for (const name of ['Accept', 'Decline']) {
    check(await enabled(await app.find(`${DIALOG}${button(name)}`)), `${name} is disabled after Silence`);
  }
  await app.snap('10-silenced');
  // It stays quiet and keeps ringing for the caller: nothing restarts the tone, nothing ends.
  await sleep(1500);
  const after = await tones();
  check(after.stopped === 2 && after.started === 0, `the ringtone after Silence: ${JSON.stringify(after)}`);
  check(after.errors.length === 0, `stopping the ringtone failed: ${after.errors.join('; ')}`);
  check(await app.present(DIALOG), 'the dialog went away after Silence');
  check(caller.code === null && !caller.events.some((e) => e.event.startsWith('local_invitation_') && e.event !== 'local_invitation_received_by_peer'), `the call ended after Silence: ${caller.events.map((e) => e.event).join(', ')}`);
  check(openNotices().has(notice.id), 'Silence closed the incoming-call notification');
  // Still answerable: decline it.
  await app.clickClosing(`${DIALOG}${button('Decline')}`);
  await expectDeclined(caller, popup, notice, before);
}

async function doNotDisturb() {
  await app.reset();
  const before = notices().length;
  const toggle = await app.find(DND_SWITCH, 'the do-not-disturb switch');
  check((await app.s.attribute(toggle, 'aria-checked')) === 'false', 'the app starts in do-not-disturb');
  await app.s.click(toggle);
  await waitFor('the switch on', async () => (await app.s.attribute(await app.find(DND_SWITCH), 'aria-checked')) === 'true');
  await app.find(`//header//*[contains(@class,'me-status')][normalize-space(.)='Do not disturb']`, 'own status Do not disturb');
  // The server has it: the peer sees ada as dnd.
  await waitFor('the peer to see dnd', async () => {
    const look = cli(['presence', ME.uid]);
    await look.exit();
    return look.events.find((e) => e.event === 'presence' && e.uid === ME.uid)?.presence === 'dnd';
  });
  await app.snap('11-dnd');

  const caller = cli(['call', ME.uid, '--content', 'are you there?']);
  const refused = await caller.event('local_invitation_refused');
  check(refused.reason === 'dnd', `local_invitation_refused: ${JSON.stringify(refused)}`);
  check((await caller.exit()) === 1, `a call refused for dnd should exit 1, got ${caller.code}`);
  check(!caller.events.some((e) => e.event === 'local_invitation_received_by_peer'), 'the invitation reached the app');

  // Not rung here: no popup, no dialog, no incoming-call notification.
  const tab = await app.find(`//button[@role='tab' and starts-with(normalize-space(.), 'History')]`);
  await app.s.click(tab);
  await app.find(`//ul[@aria-label='Call history']/li[1]`, 'the newest history record');
  await waitFor('the dnd call as missed in History', async () => {
    const [first] = await app.s.findAll(`//ul[@aria-label='Call history']/li[1]`);
    if (!first) return false;
    const text = await app.s.execute('return arguments[0].innerText;', [{ [ELEMENT_KEY]: first }]);
    return (
      (await app.s.attribute(first, 'data-missed')) === 'true' &&
      text.includes(PEER.name) &&
      text.includes('Missed · Do not disturb')
    );
  });
  check((await app.popups()).length === 0, 'a popup opened for a call refused as dnd');
  check(!(await app.present(DIALOG)), 'an incoming-call dialog is shown in dnd');
  const shownInDnd = newNotices(before).filter((n) => n.method === 'Notify');
  check(shownInDnd.length === 0, `a dnd call raised a notification while in dnd: ${JSON.stringify(shownInDnd)}`);
  await app.snap('12-dnd-history');

  // DND ends (from the Team tab, so that the badge is not seen at once): the refused call shows
  // up as one summary notification and on the History badge.
  await app.click(`//button[@role='tab' and starts-with(normalize-space(.), 'Team')]`, 'the Team tab');
  check(!(await app.present(`//button[@role='tab']//*[@class='badge']`)), 'a missed-call badge while in dnd');
  await app.click(DND_SWITCH);
  await waitFor('the switch off', async () => (await app.s.attribute(await app.find(DND_SWITCH), 'aria-checked')) === 'false');
  await app.find(`//header//*[contains(@class,'me-status')][normalize-space(.)='Available']`, 'own status Available');
  const summary = await waitFor('the summary of the calls missed in dnd', () =>
    newNotices(before).find((n) => n.method === 'Notify' && n.summary === `Missed call from ${PEER.name}`),
  );
  check(summary.body === '1 missed call while Do not disturb', `the summary's body: ${JSON.stringify(summary.body)}`);
  await waitFor('the missed-call badge after dnd', async () => app.present(`//button[@role='tab']//*[@aria-label='1 missed']`));
  await app.snap('13-dnd-over');
  await app.click(`//button[@role='tab' and starts-with(normalize-space(.), 'History')]`, 'the History tab');
  await waitFor('the badge to clear once History is shown', async () => !(await app.present(`//button[@role='tab']//*[@class='badge']`)));
  const notified = newNotices(before).filter((n) => n.method === 'Notify');
  check(notified.length === 1, `one notification for the calls missed in dnd: ${JSON.stringify(notified)}`);
  await waitFor('the peer to see online', async () => {
    const look = cli(['presence', ME.uid]);
    await look.exit();
    return look.events.find((e) => e.event === 'presence' && e.uid === ME.uid)?.presence === 'online';
  });
}

/** Runs the app binary again (not through WebDriver), as a desktop does for a ringer:// link. */
function launchAgain(args, name) {
  const log = createWriteStream(join(LOGS, `${name}.log`));
  log.write(`$ ringer-app ${args.join(' ')}\n`);
  const child = spawn(APP_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      log.end(`\n[exit ${code ?? `signal ${signal}`}]\n`);
      resolve(code ?? `signal ${signal}`);
    });
  });
}

async function deepLinkFromSecondLaunch() {
  await app.reset();
  const listener = cli(['listen', '--once']);
  await listener.event('logged_in');
  const row = contactRow(PEER.name);
  await waitFor(`${PEER.name} online`, async () => (await app.s.text(await app.find(row))).includes('Available'));
  check(await instanceRunning(), 'the app does not hold its single-instance name on the bus');
  // Percent-encoded on purpose: %62ob is bob.
  const code = await launchAgain(['ringer://call/%62ob'], 'app-second-launch');
  check(code === 0, `the second launch should hand over and exit 0, got ${code}`);
  const received = await listener.event('remote_invitation_received', 20_000);
  check(received.peer === ME.uid, `the listener was called by ${received.peer}`);
  await app.find(callCard('ringing'), 'the outgoing call ringing');
  await app.waitText(`Ringing ${PEER.name}…`);
  check(await instanceRunning(), 'the first instance went away');
  await app.snap('13-deep-link');
  await app.click(`${callCard('ringing')}${button('Cancel')}`);
  check((await listener.exit()) === 1, `listen --once after a cancel should exit 1, got ${listener.code}`);
  check(listener.events.some((e) => e.event === 'remote_invitation_canceled'), 'the CLI did not see the cancel');
  await app.click(`${callCard('canceled')}${button('Close')}`);
}

// ---------------------------------------------------------------------------------------------
// The tray, as a desktop's tray host sees it (tray.py), and the main window, as the X server
// sees it (x11win.py; no window manager runs on Xvfb)

const TRAY_PY = new URL('./tray.py', import.meta.url).pathname;
const X11WIN_PY = new URL('./x11win.py', import.meta.url).pathname;
const MAIN_TITLE = 'Ringer';
const TRAY_MENU = ['Available', 'Do not disturb', '-', 'Show Ringer', '-', 'Quit Ringer'];

async function helper(script, args) {
  const result = await run('/usr/bin/python3', [script, ...args]);
  if (result.code !== 0) throw new Error(`${script} ${args.join(' ')}: exit ${result.code}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** The newest registered tray item: its bus name, properties and menu entries. */
const trayItem = async () => JSON.parse(await helper(TRAY_PY, ['item']));
/** Clicks a tray menu entry by its label. */
const trayClick = (label) => helper(TRAY_PY, ['click', label]);
/** "viewable", "unmapped" or "none". */
const mainWindowState = () => helper(X11WIN_PY, ['state', MAIN_TITLE]);

/** The tray watcher's records: registrations, and items whose owner left the bus. */
function trayRecords() {
  if (!existsSync(TRAY_LOG)) return [];
  return readFileSync(TRAY_LOG, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** The menu's labels in order, '-' for a separator. */
const menuShape = (menu) => menu.map((e) => (e.type === 'separator' ? '-' : e.label));

/** The status entries' check marks, e.g. {"Available": "on", "Do not disturb": "off"}; "disabled" when greyed out. */
function statusMarks(menu) {
  const marks = {};
  for (const e of menu.filter((e) => e['toggle-type'] === 'checkmark')) {
    marks[e.label] = !e.enabled ? 'disabled' : e['toggle-state'] === 1 ? 'on' : 'off';
  }
  return marks;
}

async function waitMarks(available, dnd) {
  const want = JSON.stringify({ Available: available, 'Do not disturb': dnd });
  let seen;
  await waitFor(`the tray's status marks ${want}`, async () => {
    seen = JSON.stringify(statusMarks((await trayItem()).menu));
    return seen === want;
  }).catch((e) => {
    throw new Error(`${e.message}; the menu has ${seen}`);
  });
}

/** The process behind a bus name, or 0 when the name has no owner. */
async function busPid(name) {
  const { stdout } = await run('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.GetConnectionUnixProcessID',
    `string:${name}`,
  ]);
  return Number(stdout.match(/uint32 (\d+)/)?.[1] ?? 0);
}

// The app talks on several bus connections (the single-instance name on one, the tray item on
// another): they are the app's when they belong to the process holding the single-instance name.
const appPid = () => busPid('org.ringer.app.SingleInstance');

/** Whether the peer's `presence` sees ada as `presence`. */
async function peerSees(presence) {
  const look = cli(['presence', ME.uid]);
  await look.exit();
  return look.events.find((e) => e.event === 'presence' && e.uid === ME.uid)?.presence === presence;
}

async function tray() {
  await app.reset();
  // The running app (the owner of the single-instance name) registered one tray item, still there.
  const pid = await appPid();
  check(pid > 0, 'the app does not hold its single-instance name on the bus');
  let item = await trayItem();
  const owner = item.bus_name;
  check((await busPid(owner)) === pid, `the newest tray item is ${owner}'s, not the app's (pid ${pid})`);
  const registered = trayRecords().filter((r) => r.method === 'RegisterStatusNotifierItem' && r.sender === owner);
  check(registered.length === 1, `the app registered ${registered.length} tray items: ${JSON.stringify(trayRecords())}`);
  check(item.properties.Status === 'Active', `the tray item's status: ${item.properties.Status}`);
  const iconFile = item.properties.IconName;
  check(iconFile && existsSync(iconFile), `the tray icon is not a file: ${JSON.stringify(iconFile)}`);
  check(JSON.stringify(menuShape(item.menu)) === JSON.stringify(TRAY_MENU), `the tray menu: ${JSON.stringify(menuShape(item.menu))}`);
  check(
    JSON.stringify(statusMarks(item.menu)) === JSON.stringify({ Available: 'on', 'Do not disturb': 'off' }),
    `the tray's status marks when Available: ${JSON.stringify(statusMarks(item.menu))}`,
  );

  // Do not disturb from the tray: the server has it, the header and the menu follow.
  await trayClick('Do not disturb');
  await waitFor('the peer to see dnd', () => peerSees('dnd'));
  await waitFor('the switch on', async () => (await app.s.attribute(await app.find(DND_SWITCH), 'aria-checked')) === 'true');
  await waitMarks('off', 'on');
  await trayClick('Available');
  await waitFor('the peer to see online', () => peerSees('online'));
  await waitFor('the switch off', async () => (await app.s.attribute(await app.find(DND_SWITCH), 'aria-checked')) === 'false');
  await waitMarks('on', 'off');

  // Closing the main window (as a title bar's close button does) hides it; the app goes on.
  check((await mainWindowState()) === 'viewable', `the main window before closing: ${await mainWindowState()}`);
  await helper(X11WIN_PY, ['close', MAIN_TITLE]);
  await waitFor('the main window to hide', async () => (await mainWindowState()) === 'unmapped');
  check((await appPid()) === pid, 'the app left the bus when its window closed');
  item = await trayItem();
  check(item.bus_name === owner, 'the tray item went away when the window closed');
  check(
    !trayRecords().some((r) => r.method === 'Unregistered' && r.item.startsWith(`${owner}/`)),
    `the app's tray item was unregistered: ${JSON.stringify(trayRecords())}`,
  );
  // Still signed in and still rung: Bob's call raises the notification and the popup; declined
  // from the notification, and the main window stays in the tray.
  const before = notices().length;
  const caller = cli(['call', ME.uid, '--content', 'still there?']);
  const notice = await incomingNotice(before, 'still there?');
  const popup = await app.waitPopup();
  await app.toMain();
  await pressAction(notice.id, 'decline');
  await expectDeclined(caller, popup, notice, before);
  check((await mainWindowState()) === 'unmapped', `the main window after a declined call: ${await mainWindowState()}`);

  // "Show Ringer" brings it back, as it was.
  await trayClick('Show Ringer');
  await waitFor('the main window to show', async () => (await mainWindowState()) === 'viewable');
  await app.toMain();
  await app.find(contactRow(PEER.name), `${PEER.name} in the team list`);
  await app.waitText('Connected');
  await app.snap('15-tray-shown');
}

/** Runs the CLI as the app's user with a stored token (no password): its exit status and stderr. */
async function cliAsMe(args, name) {
  const full = ['--server', SERVER, '--user', ME.uid, '--json', '--device-id', 'e2e-token-check', ...args];
  const result = await run(CLI, full, 20_000);
  writeFileSync(join(LOGS, `${name}.log`), `$ ringer ${full.join(' ')}\n${result.stdout}${result.stderr}\n[exit ${result.code}]\n`);
  return result;
}

async function signOut() {
  await app.reset();
  const token = await storedToken();
  check(token.length > 0, 'no token in the Secret Service before signing out');
  // Hand the app's token to the CLI (its own keyring entry), to ask the server about it later.
  const planted = await new Promise((resolve) => {
    const child = execFile('secret-tool', ['store', '--label=e2e token check', 'service', 'ringer', 'username', `${ME.uid}@${SERVER}`], { timeout: 10_000 }, (error) => resolve(!error));
    child.stdin.end(token);
  });
  check(planted, 'could not store the token for the CLI');
  const valid = await cliAsMe(['presence', PEER.uid], 'cli-token-before-sign-out');
  check(valid.code === 0, `the app's token does not sign in before sign-out: exit ${valid.code}: ${valid.stderr}`);

  await app.click(`//header${button('Sign out')}`);
  await app.find(heading('Sign in to Ringer'), 'the sign-in form after signing out', 20_000);
  await app.snap('14-signed-out');
  await waitFor('the token to leave the Secret Service', async () => (await storedToken()) === '');
  const revoked = await cliAsMe(['presence', PEER.uid], 'cli-token-after-sign-out');
  check(revoked.code === 3, `the old token should be refused (exit 3), got exit ${revoked.code}: ${revoked.stderr}`);
  check(/revoked/.test(revoked.stderr), `the old token was refused for another reason: ${revoked.stderr}`);

  // And a new start asks for the password.
  await app.quit();
  app = null;
  await waitFor('the first instance to exit', async () => !(await instanceRunning()));
  app = await App.start();
  await app.find(heading('Sign in to Ringer'), 'the sign-in form after a restart', 30_000);
  check(!(await app.present(contactRow(PEER.name))), 'the team view is shown after signing out');
}

async function trayQuit() {
  if (!app) app = await App.start();
  await app.toMain();
  const pid = await appPid();
  check(pid > 0, 'the app does not hold its single-instance name on the bus');
  const item = await trayItem();
  const owner = item.bus_name;
  check((await busPid(owner)) === pid, `the newest tray item is ${owner}'s, not the app's (pid ${pid})`);
  // Signed out: nothing to set a status on.
  check(
    JSON.stringify(statusMarks(item.menu)) === JSON.stringify({ Available: 'disabled', 'Do not disturb': 'disabled' }),
    `the tray's status marks when signed out: ${JSON.stringify(statusMarks(item.menu))}`,
  );
  await trayClick('Quit Ringer');
  await waitFor('the app to exit', async () => !(await instanceRunning()), 20_000);
  await waitFor('the tray item to go', () =>
    trayRecords().some((r) => r.method === 'Unregistered' && r.item === `${owner}${item.path}`),
  );
  await waitFor('the main window to go', async () => (await mainWindowState()) === 'none');
  // The WebDriver session has no browser left; end it for the driver's sake.
  await app.quit().catch(() => {});
  app = null;
}

const scenarios = [
  ['1 wrong password: a clear message, the form stays usable', wrongPassword],
  ['2 sign in, team shows the CLI user', signIn, true],
  ['3 call an accepting listener, hang up from the app', callAcceptedThenHangUp],
  ['4 call a listener that refuses busy', callRefusedBusy],
  ['5 incoming call accepted in the popup', incomingAcceptedInPopup],
  ['6 incoming call accepted from the notification', incomingAcceptedFromNotification],
  ['7 caller cancels: popup and notification go, missed call in History', incomingCanceledIsMissed],
  ['8 incoming call declined in the popup', incomingDeclinedInPopup],
  ['9 incoming call declined from the notification', incomingDeclinedFromNotification],
  ['10 Silence stops the ringtone, the call still rings', silenceStopsRingtone],
  ['11 do not disturb: refused as dnd without ringing, missed in History, one summary when it ends', doNotDisturb],
  ['12 ringer://call/ link from a second launch calls the listener', deepLinkFromSecondLaunch],
  ['13 tray: item and menu, status from the tray, closing the window keeps the app, Show Ringer', tray],
  ['14 restart: signed in from the keyring', restartSignedInFromKeyring],
  ['15 sign out: token revoked and deleted, sign-in form on restart', signOut],
  ['16 Quit Ringer from the tray ends the app', trayQuit],
];

async function main() {
  let passed = 0;
  let failed = 0;
  let fatal = null;
  for (const [name, scenario, required] of scenarios) {
    if (fatal) {
      failed += 1;
      console.log(`FAIL ${name}: not run, because ${fatal}`);
      continue;
    }
    const started = Date.now();
    try {
      await scenario();
      passed += 1;
      console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${name}: ${e.message}`);
      const slug = name.split(' ')[0];
      if (app) {
        try {
          await app.toMain();
          await app.snap(`failure-${slug}`);
          writeFileSync(join(LOGS, `failure-${slug}.txt`), await app.text());
        } catch {
          // the app may be gone
        }
      }
      if (required) fatal = `scenario "${name}" failed`;
    }
  }
  for (const run of clis) run.child.kill('SIGKILL');
  if (app) await app.quit().catch(() => {});
  writeFileSync(SUMMARY, `${passed} passed, ${failed} failed\n`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
