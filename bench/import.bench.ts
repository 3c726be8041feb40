/**
 * `npm run bench:import`: how long importing a CIFAR-10-sized image set takes in real Chromium, and how free the page
 * stays meanwhile. Generates (once, into the temp folder) a zip of 50,000 32×32 RGB PNGs in 10 class folders, serves
 * the production build with `vite preview`, chooses the zip with the Data panel's "Import files…" input, and prints
 * the time until the dataset is listed, the longest main-thread task (PerformanceObserver `longtask`) and the largest
 * lateness of a 50 ms timer during the import, and the machine load.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { png } from '../src/data/testing/fixtures';
import { launchChromium, startPreview } from './preview';

const PORT = Number(process.env.CONVAS_BENCH_PORT ?? 4327);
const IMAGES = Number(process.env.CONVAS_BENCH_IMAGES ?? 50_000);
const CLASSES = 10;
const TARGET_S = 30;

/** A zip like CIFAR-10 as folders: smooth colour gradients with noise, so PNGs are about CIFAR's size. */
function generate(path: string): void {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const entries: Record<string, Uint8Array> = {};
  for (let i = 0; i < IMAGES; i++) {
    const k = i % CLASSES;
    const base = [rnd() * 200, rnd() * 200, rnd() * 200];
    const dx = (rnd() - 0.5) * 4;
    const dy = (rnd() - 0.5) * 4;
    entries[`cifar-like/class_${k}/${i}.png`] = png(32, 32, 3, (x, y, c) => base[c] + dx * x + dy * y + k * 3 + rnd() * 24);
  }
  writeFileSync(path, zipSync(entries, { level: 0 }));
}

const load = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const dir = join(tmpdir(), `convas-bench-${IMAGES}-32x32`);
  const zip = join(dir, 'cifar-like.zip');
  if (!existsSync(zip)) {
    mkdirSync(dir, { recursive: true });
    const t = Date.now();
    generate(zip);
    console.log(`generated ${zip} (${(statSync(zip).size / 2 ** 20).toFixed(0)} MB) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const loadBefore = load();
  const { base, stop } = await startPreview(PORT);
  try {
    // A profile on disk, as a user has: an off-the-record context keeps IndexedDB in memory.
    const profile = mkdtempSync(join(tmpdir(), 'convas-bench-profile-'));
    const browser = await launchChromium(profile);
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setViewportSize({ width: 1440, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('crash', () => console.error('the page crashed'));
    page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
    await page.goto(`${base}/?preset=basic-cnn`);
    await page.getByTestId('tab-data').click();
    await page.getByTestId('data-panel').waitFor();
    await page.getByTestId('data-options').locator('summary').click();
    await page.getByTestId('data-size').selectOption('files');
    // In-page code as text: tsx's name-keeping helper (__name) does not exist in the page.
    await page.evaluate(`(() => {
      window.__long = 0; window.__lag = 0; window.__rec = true;
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.__long = Math.max(window.__long, e.duration); })).observe({ type: 'longtask' });
      let t = performance.now();
      const tick = () => { const now = performance.now(); window.__lag = Math.max(window.__lag, now - t - 50); t = now; if (window.__rec) setTimeout(tick, 50); };
      setTimeout(tick, 50);
    })()`);
    const t0 = Date.now();
    await page.getByTestId('data-files-input').setInputFiles(zip);
    const row = page.getByTestId('data-row').filter({ hasText: 'cifar-like' });
    const failed = page.getByTestId('data-error');
    const progress = setInterval(() => {
      void page.getByTestId('data-progress').innerText({ timeout: 1000 }).then((t) => console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${t}`), () => {});
    }, 5000);
    await Promise.race([row.waitFor({ timeout: 600_000 }), failed.waitFor({ timeout: 600_000 })]);
    const seconds = (Date.now() - t0) / 1000;
    clearInterval(progress);
    if (await failed.isVisible()) throw new Error(`the import failed: ${await failed.innerText()}`);
    const { long, lag } = (await page.evaluate('(window.__rec = false, { long: window.__long, lag: window.__lag })')) as { long: number; lag: number };
    const listed = await row.innerText();
    console.log(`import of ${IMAGES.toLocaleString('en-US')} 32×32 RGB PNGs (zip) until listed: ${seconds.toFixed(1)} s (target < ${TARGET_S} s) — ${listed.replace(/\s+/g, ' ')}`);
    console.log(`main thread during the import: longest task ${long.toFixed(0)} ms, largest 50 ms timer lag ${lag.toFixed(0)} ms`);
    console.log(`load average (1, 5, 15 min): before ${loadBefore}, after ${load()}; cores: ${await page.evaluate('navigator.hardwareConcurrency')}`);
    if (errors.length) {
      console.error(`page errors:\n${errors.join('\n')}`);
      process.exitCode = 1;
    }
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  } finally {
    stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
