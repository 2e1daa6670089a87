// Screenshots of the main screens against the in-memory demo backend, with Debian's chromium.
// Usage: npm run screenshots   (writes screenshots/*.png)

import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const MAIN = { width: 900, height: 640 };
const POPUP = { width: 360, height: 200 };
const NARROW = { width: 420, height: 680 };

const shots = [
  ['signin', '?scene=signin', MAIN],
  ['signin-error', '?scene=signin-error', MAIN],
  ['team', '?scene=team', MAIN],
  ['reconnecting', '?scene=reconnecting', MAIN],
  ['outgoing', '?scene=outgoing', MAIN],
  ['incoming', '?scene=incoming', MAIN],
  ['in-call', '?scene=call', MAIN],
  ['call-ended', '?scene=ended', MAIN],
  ['history', '?scene=team', MAIN, 'History'],
  ['settings', '?scene=team', MAIN, 'Settings'],
  ['popup', '?scene=incoming&view=incoming&id=demo-in', POPUP],
  ['in-call-dark', '?scene=call', MAIN, null, 'dark'],
  ['narrow-call', '?scene=ended', NARROW],
  ['narrow-history', '?scene=team', NARROW, 'History'],
];

const server = await createServer({ server: { port: 5199, strictPort: false }, logLevel: 'error' });
await server.listen();
const base = server.resolvedUrls?.local[0] ?? 'http://localhost:5199/';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
mkdirSync('screenshots', { recursive: true });
try {
  for (const [name, query, viewport, tab, scheme] of shots) {
    const page = await browser.newPage({ viewport, colorScheme: scheme ?? 'light' });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}${query}&demo`);
    await page.waitForSelector('.shell, .signin, .popup .incoming, .loading');
    if (tab) {
      await page.getByRole('tab', { name: new RegExp(tab) }).click();
      await page.waitForTimeout(150);
    }
    await page.waitForTimeout(250);
    await page.screenshot({ path: `screenshots/${name}.png` });
    await page.close();
    console.log(`screenshots/${name}.png${errors.length ? `  errors: ${errors.join(' | ')}` : ''}`);
  }
} finally {
  await browser.close();
  await server.close();
}
