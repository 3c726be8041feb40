/**
 * `npm run bench:first-load`: how long a new user waits for the editor on a typical 10 Mbit/s line.
 * Builds dist/ (the npm script does), serves it with `vite preview` on its own port, then opens `/` RUNS times in
 * headless Chromium (flags of playwright.config.ts), each time in a fresh profile with the HTTP cache disabled and the
 * network throttled through CDP (Network.emulateNetworkConditions: 10 Mbit/s down, 5 up, 30 ms latency).
 *
 * "Interactive canvas" = the first moment the palette's Conv2D item, the React Flow pane and the toolbar are all in the
 * DOM (a MutationObserver installed before any script runs records performance.now(), i.e. ms since navigation start).
 * Then the bench double-clicks Conv2D in the palette and also reports when the new layer is on the canvas, which
 * proves the editor was really usable at that moment.
 *
 * Prints both times (median and range), the JS the page fetched before the mark (raw bytes, and gzip -9 of the same
 * files from disk as the budget check computes it) and `uptime`, because the machine is shared.
 * CONVAS_BENCH_DIST=<dir>[,<dir>…] measures other builds without rebuilding (e.g. `dist-before,dist` to compare one of
 * an older commit with this one): their runs alternate, so a busy shared machine weighs on both alike.
 * (An older commit's build: check it out in a spare worktree and `npx vite build --outDir <dir>` there.)
 * vite preview serves files uncompressed, so the bytes on the wire are the raw sizes; a host that gzips would be faster.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium, startPreview } from './preview';

const PORT = Number(process.env.CONVAS_BENCH_PORT ?? 4325);
const RUNS = Number(process.env.CONVAS_BENCH_RUNS ?? 5);
const DISTS = (process.env.CONVAS_BENCH_DIST ?? 'dist').split(',');
const LINE = { offline: false, latency: 30, downloadThroughput: (10e6 / 8) | 0, uploadThroughput: (5e6 / 8) | 0 };
const MARK = '[data-testid="palette-Conv2D"], .react-flow__pane, [data-testid="toolbar"]';

/** Runs in the page before its own scripts: notes when every part of the editor's first screen has mounted. */
const RECORD_MOUNT = `(() => {
  const ready = () => ${JSON.stringify(MARK.split(', '))}.every((s) => document.querySelector(s));
  const obs = new MutationObserver(() => {
    if (window.__interactive === undefined && ready()) { window.__interactive = performance.now(); obs.disconnect(); }
  });
  obs.observe(document, { childList: true, subtree: true });
})()`;

interface Run {
  interactiveMs: number;
  layerAddedMs: number;
  js: { url: string; start: number }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function once(browser: import('@playwright/test').Browser, base: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(RECORD_MOUNT);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', LINE);
  const js: Run['js'] = [];
  const t0 = Date.now();
  page.on('request', (r) => {
    if (r.resourceType() === 'script' || /\.m?js(\?|$)/.test(r.url())) js.push({ url: r.url(), start: Date.now() - t0 });
  });
  await page.goto(base, { waitUntil: 'commit' });
  await page.waitForFunction('window.__interactive !== undefined', undefined, { timeout: 120_000, polling: 'raf' });
  const interactiveMs = (await page.evaluate('window.__interactive')) as number;
  const before = await page.locator('.react-flow__node').count();
  await page.getByTestId('palette-Conv2D').dblclick();
  await page.locator('.react-flow__node').nth(before).waitFor({ timeout: 60_000 });
  const layerAddedMs = (await page.evaluate('performance.now()')) as number;
  // Requests the page started before the mark; navigation start ≈ t0 (Playwright's round trip is a few ms).
  const early = js.filter((r) => r.start <= interactiveMs);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { interactiveMs, layerAddedMs, js: early };
}

function report(dist: string, runs: Run[]): void {
  const files = [...new Set(runs.flatMap((r) => r.js.map((j) => new URL(j.url).pathname)))];
  let raw = 0;
  let gz = 0;
  const rows = files.map((f) => {
    const bytes = readFileSync(join(dist, f));
    const g = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += g;
    return `    ${f}  ${kb(bytes.length)} raw, ${kb(g)} gzip`;
  });
  const t = runs.map((r) => r.interactiveMs);
  const a = runs.map((r) => r.layerAddedMs);
  const range = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(`${dist}/: first load on 10 Mbit/s down, 5 up, ${LINE.latency} ms latency, cache disabled, ${runs.length} runs (fresh profile each)`);
  console.log(`  interactive canvas (palette item, React Flow pane and toolbar mounted): ${range(t)}`);
  console.log(`  first layer added (double-click Conv2D right after): ${range(a)}`);
  console.log(`  JS requested before the canvas was interactive: ${files.length} files, ${kb(raw)} raw, ${kb(gz)} gzip -9`);
  for (const r of rows) console.log(r);
}

async function main(): Promise<void> {
  if (!process.env.CONVAS_BENCH_DIST) execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
  const servers = await Promise.all(DISTS.map((d, i) => startPreview(PORT + i, d)));
  try {
    const browser = await launchChromium();
    // One unthrottled warm-up each so vite preview's first-request costs do not land on run 1.
    for (const { base } of servers) {
      const warm = await browser.newPage();
      await warm.goto(base);
      await warm.close();
    }
    const runs: Run[][] = DISTS.map(() => []);
    for (let i = 0; i < RUNS; i++) for (const [d, { base }] of servers.entries()) runs[d].push(await once(browser, base));
    await browser.close();
    for (const [d, dist] of DISTS.entries()) report(dist, runs[d]);
    console.log(`uptime: ${execSync('uptime').toString().trim()}`);
  } finally {
    for (const s of servers) s.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
