// A minimal W3C WebDriver client over fetch: the few commands the end-to-end test needs, with no
// dependency to install. tauri-driver speaks this protocol and forwards it to WebKitWebDriver.

/** The key of a web element reference in the protocol's JSON. */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriverError extends Error {}

/** One WebDriver session. */
export class Session {
  /**
   * Starts the app under tauri-driver.
   * @param {string} base e.g. http://127.0.0.1:4444
   * @param {string} application path of the binary tauri-driver starts
   */
  static async start(base, application, { timeoutMs = 60_000 } = {}) {
    const body = {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    };
    const value = await request(base, 'POST', '/session', body, timeoutMs);
    return new Session(base, value.sessionId);
  }

  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async end() {
    await request(this.base, 'DELETE', `/session/${this.id}`, undefined, 15_000);
  }

  /** Elements matching an XPath expression (an empty list when none). */
  async findAll(xpath, from = null) {
    const path = from ? `/element/${from}/elements` : '/elements';
    const found = await this.cmd('POST', path, { using: 'xpath', value: xpath });
    return found.map((e) => e[ELEMENT_KEY]);
  }

  async click(element) {
    await this.cmd('POST', `/element/${element}/click`, {});
  }

  async clear(element) {
    await this.cmd('POST', `/element/${element}/clear`, {});
  }

  async type(element, text) {
    await this.cmd('POST', `/element/${element}/value`, { text });
  }

  async text(element) {
    return this.cmd('GET', `/element/${element}/text`);
  }

  async attribute(element, name) {
    return this.cmd('GET', `/element/${element}/attribute/${encodeURIComponent(name)}`);
  }

  async execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** The rendered text of the current window's page. */
  async pageText() {
    return this.execute('return document.body ? document.body.innerText : "";');
  }

  async url() {
    return this.cmd('GET', '/url');
  }

  async handles() {
    return this.cmd('GET', '/window/handles');
  }

  async switchTo(handle) {
    await this.cmd('POST', '/window', { handle });
  }

  /** A PNG of the current window, as a Buffer. */
  async screenshot() {
    const data = await this.cmd('GET', '/screenshot');
    return Buffer.from(data, 'base64');
  }
}

async function request(base, method, path, body, timeoutMs = 20_000) {
  let response;
  try {
    response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new WebDriverError(`${method} ${path}: ${e.message}`);
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError(`${method} ${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  if (!response.ok || (json.value && json.value.error)) {
    const v = json.value || {};
    throw new WebDriverError(`${method} ${path}: ${v.error || response.status}: ${v.message || text.slice(0, 300)}`);
  }
  return json.value;
}
