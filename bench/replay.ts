/**
 * `npm run bench:replay`: scrubbing Inspect's epoch replay on ResNet-20 (resnet-cifar, 0.27 M params, 21 conv layers
 * with feature maps) in real Chromium.
 * Serves dist/ with `vite preview`, opens /?preset=resnet-cifar&e2e-hooks, writes a finished run with 5 kept epochs of
 * synthetic weights into the run store through the app's own code (`seedReplayRun`, src/ui/runs/test-hooks.ts),
 * draws an input on Inspect's pad, then measures
 *  - per slider step: the time from the slider's `input` event to the feature maps of that epoch painted (the frame
 *    after they are in the DOM), first visits and revisits (cached) apart;
 *  - while the slider is dragged back and forth for a few seconds: the longest main-thread task (PerformanceObserver
 *    `longtask`, tasks over 50 ms), how many there were, and the time from letting go to the last position painted.
 * Build first (`npm run bench:replay` does).
 */
import { cpus, loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { launchChromium, startPreview } from './preview';

const PORT = Number(process.env.CONVAS_BENCH_PORT ?? 4323);
const SCRUB_MS = Number(process.env.CONVAS_BENCH_SCRUB_MS ?? 4000);
const EPOCHS = 5;

const ms = (x: number) => `${x.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Resolves (in the page) once the feature maps of `want` ('latest' or an epoch) are in the DOM and a frame has passed. */
const PAINTED = `(want) => new Promise((res) => {
  const check = () => {
    const f = document.querySelector('[data-testid="fmaps"]');
    if (f && f.getAttribute('data-epoch') === want && f.getAttribute('data-stale') === 'false') requestAnimationFrame(() => res(performance.now()));
    else requestAnimationFrame(check);
  };
  check();
})`;

async function step(page: Page, index: number, want: string): Promise<number> {
  return page.evaluate(
    async ([i, w]) => {
      const el = document.querySelector('[data-testid="replay-slider"]') as HTMLInputElement;
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      const t0 = performance.now();
      set.call(el, String(i));
      el.dispatchEvent(new Event('input', { bubbles: true }));
      const t1 = await (window as unknown as { __painted(w: string): Promise<number> }).__painted(w as string);
      return t1 - t0;
    },
    [index, want] as const,
  );
}

async function main(): Promise<void> {
  const { base, stop } = await startPreview(PORT);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/?preset=resnet-cifar&e2e-hooks`);
    await page.getByTestId('toolbar').waitFor();
    await page.evaluate(`window.__painted = ${PAINTED}`);
    await page.waitForFunction(() => !!window.__convasTest?.seedReplayRun);
    const seeded = await page.evaluate((n) => window.__convasTest!.seedReplayRun!(n), EPOCHS);
    const labels = seeded.epochs.map((e, i) => (i === seeded.epochs.length - 1 ? 'latest' : String(e)));
    await page.getByTestId('tab-inspect').click();
    await page.getByTestId('epoch-replay').waitFor({ timeout: 60_000 });
    const params = await page.getByTestId('total-params').innerText();

    // An input: a stroke across the drawing pad.
    const pad = (await page.getByTestId('draw-pad').boundingBox())!;
    const t0 = Date.now();
    await page.mouse.move(pad.x + pad.width * 0.2, pad.y + pad.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.8, pad.y + pad.height * 0.7, { steps: 12 });
    await page.mouse.up();
    await page.evaluate(`window.__painted('latest')`);
    const firstMaps = Date.now() - t0;
    const tiles = await page.getByTestId('fmap-tile').count();
    const layers = await page.locator('[data-testid^="fmap-layer-"]').count();

    // Single steps: every epoch once (computed), then again (from the cache).
    const first: number[] = [];
    const again: number[] = [];
    for (const i of [0, 1, 2, 3]) first.push(await step(page, i, labels[i]));
    const latestAgain = await step(page, 4, 'latest');
    // CONVAS_BENCH_PROFILE=1: a CPU profile of the revisits, its top functions by self time.
    const cdp = process.env.CONVAS_BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    for (const i of [0, 2, 1, 3]) again.push(await step(page, i, labels[i]));
    if (cdp) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] } };
      const self = new Map<number, number>();
      profile.samples.forEach((id, k) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000));
      const byName = new Map<string, number>();
      for (const n of profile.nodes) {
        const name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        byName.set(name, (byName.get(name) ?? 0) + (self.get(n.id) ?? 0));
      }
      console.log('  profile of the revisits (self ms):');
      for (const [name, t] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`    ${t.toFixed(0).padStart(6)}  ${name}`);
    }

    // Scrubbing: drag the thumb back and forth over every epoch, watching long tasks.
    await page.evaluate(() => {
      const w = window as unknown as { __long: number[]; __obs: PerformanceObserver };
      w.__long = [];
      w.__obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__long.push(e.duration)));
      w.__obs.observe({ type: 'longtask' });
    });
    const slider = (await page.getByTestId('replay-slider').boundingBox())!;
    const y = slider.y + slider.height / 2;
    const x = (f: number) => slider.x + 8 + f * (slider.width - 16);
    await page.mouse.move(x(0), y);
    await page.mouse.down();
    const start = Date.now();
    let k = 0;
    while (Date.now() - start < SCRUB_MS) {
      k++;
      await page.mouse.move(x(0.5 + 0.5 * Math.sin(k / 6)), y);
    }
    const endF = 0.5 + 0.5 * Math.sin(k / 6);
    await page.mouse.up();
    const released = await page.evaluate(() => performance.now());
    const landed = Math.round(endF * (EPOCHS - 1));
    const settledAt = (await page.evaluate(`window.__painted(${JSON.stringify(labels[landed])})`)) as number;
    const longTasks = (await page.evaluate(() => (window as unknown as { __long: number[] }).__long)) as number[];
    const shown = await page.getByTestId('replay-epoch').getAttribute('data-epoch');

    console.log(`Epoch replay, ResNet-20 (resnet-cifar, ${params} params): ${layers} layers of feature maps, ${tiles} tiles; ${EPOCHS} kept epochs (synthetic weights)`);
    console.log(`  first feature maps after drawing (model built once): ${ms(firstMaps)}`);
    console.log(`  slider step → feature maps painted, first visit of an epoch: median ${ms(median(first))}, max ${ms(Math.max(...first))} (${first.map(ms).join(', ')})`);
    console.log(`  slider step → painted, back to the latest weights: ${ms(latestAgain)}`);
    console.log(`  slider step → painted, epoch seen before (cached maps): median ${ms(median(again))}, max ${ms(Math.max(...again))}`);
    console.log(`  scrubbing ${SCRUB_MS / 1000} s (${k} pointer moves): longest main-thread task ${longTasks.length ? ms(Math.max(...longTasks)) : 'none over 50 ms'}, ${longTasks.length} tasks over 50 ms${longTasks.length ? ` (${longTasks.map(ms).join(', ')})` : ''}`);
    console.log(`  let go at epoch ${shown} → its maps painted ${ms(Math.max(0, settledAt - released))} later`);
    console.log(`  machine load (1-min average) at the end: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores (other work slows every figure)`);
    if (errors.length) console.log(`  page errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
    stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
