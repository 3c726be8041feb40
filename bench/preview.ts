import { spawn } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';

/** The production build served by `vite preview` on its own port, and Debian's Chromium, for the browser benches. */

async function waitForServer(url: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer on ${url} within ${timeoutMs / 1000} s`);
}

/** Serves dist/ (or `outDir`) on `port` until the process exits (or `stop` is called); resolves once it answers. */
export async function startPreview(port: number, outDir = 'dist'): Promise<{ base: string; stop(): void }> {
  const args = ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', outDir];
  const server = spawn('npx', args, { stdio: 'ignore', detached: true });
  const stop = () => {
    try {
      if (server.pid) process.kill(-server.pid);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  const base = `http://127.0.0.1:${port}`;
  await waitForServer(base);
  return { base, stop };
}

const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Chromium with the flags of playwright.config.ts. */
export function launchChromium(): Promise<Browser>;
/** The same with a profile in `userDataDir` (storage on disk, as a user's browser has). */
export function launchChromium(userDataDir: string): Promise<BrowserContext>;
export function launchChromium(userDataDir?: string): Promise<Browser | BrowserContext> {
  return userDataDir === undefined ? chromium.launch(launchOptions) : chromium.launchPersistentContext(userDataDir, launchOptions);
}

/**
 * Opens the ResNet-50 preset at `base` and waits for its total; with `open`, opens all 16 block instances and fits
 * the view (past 120 boxes only what is on screen is drawn) until every opened instance is there.
 */
export async function openResnet50(page: Page, base: string, open: boolean): Promise<void> {
  await page.goto(`${base}/?preset=resnet50`);
  await page.getByTestId('total-params').filter({ hasText: '25,636,712' }).waitFor();
  if (!open) return;
  await page.evaluate(`document.querySelectorAll('[data-testid="block-toggle"]').forEach((b) => b.click())`);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('f');
  await page.locator('[data-expanded="true"]').nth(15).waitFor({ state: 'attached' });
}

/**
 * Page script of one param edit as the UI bench times it: sets the inspector's `param-<field>` input to `value` and
 * resolves to [ms until the new total is painted, ms until the canvas has caught up] — the latter is the frame after
 * the last change the edit made to the canvas' DOM, found by waiting until 200 ms pass without one.
 */
export function editStep(field: string, value: string): string {
  return `(async () => {
    const input = document.querySelector('[data-testid="param-${field}"]');
    const total = document.querySelector('[data-testid="total-params"]');
    const before = total.textContent;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    let lastChange = 0;
    let paintedAfter = 0;
    const mo = new MutationObserver(() => {
      const at = (lastChange = performance.now());
      requestAnimationFrame(() => setTimeout(() => { if (lastChange === at) paintedAfter = performance.now(); }, 0));
    });
    mo.observe(document.querySelector('.react-flow'), { subtree: true, attributes: true, childList: true, characterData: true });
    const t = performance.now();
    setter.call(input, '${value}');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve) => {
      const check = () => (total.textContent !== before ? resolve() : requestAnimationFrame(check));
      check();
    });
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const totalMs = performance.now() - t;
    while (performance.now() - Math.max(lastChange, t) < 200 || (lastChange && !paintedAfter)) await new Promise((r) => setTimeout(r, 20));
    mo.disconnect();
    return [totalMs, lastChange ? paintedAfter - t : totalMs];
  })()`;
}
