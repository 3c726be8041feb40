/**
 * `npm run bench:ui`: how fluid the editor is on ResNet-50 (~180 nodes) in real Chromium.
 * Serves dist/ with `vite preview` on its own port, opens /?preset=resnet50 (its 16 blocks collapsed, then all opened), then measures
 *  - frame time (requestAnimationFrame deltas) while a node is dragged for a few seconds, at a working zoom and with the
 *    whole graph on screen, and while the whole graph is panned (a drag on the empty pane): median and p95, and how far
 *    the view panned (a node dragged near the pane's edge auto-pans it);
 *  - latency from a param edit (an `input` event in the inspector) to the updated total painted, and to the canvas'
 *    boxes and wires painted with the edit's effects.
 * Build first (`npm run bench:ui` does). Chromium flags match playwright.config.ts.
 * The machine is shared, so the load (`uptime`) is printed. To compare builds, `CONVAS_BENCH_DIST=dist-before,dist`
 * measures each in turn, `CONVAS_BENCH_ROUNDS` times (alternating), and `CONVAS_BENCH_QUICK=1` skips the auto-layout
 * and training parts; `CONVAS_BENCH_VARIANTS=opened` (or `collapsed`) measures one of the two views of the blocks.
 */
import { execSync } from 'node:child_process';
import { editStep, launchChromium, openResnet50, startPreview } from './preview';

const PORT = Number(process.env.CONVAS_BENCH_PORT ?? 4319);
const DRAG_MS = Number(process.env.CONVAS_BENCH_DRAG_MS ?? 4000);
const EDITS = 15;
const DISTS = (process.env.CONVAS_BENCH_DIST ?? 'dist').split(',');
const ROUNDS = Number(process.env.CONVAS_BENCH_ROUNDS ?? 1);
const QUICK = process.env.CONVAS_BENCH_QUICK === '1';
const VARIANTS = (process.env.CONVAS_BENCH_VARIANTS ?? 'collapsed,opened').split(',');

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Mean lateness (ms) of 300 chained 1 ms timers: how busy the main thread is (the 4 ms timer clamp is the floor). */
const TIMER_LAG = `new Promise((res) => { let n = 0, late = 0, t = performance.now();
  const tick = () => { const now = performance.now(); late += Math.max(0, now - t - 1); t = now; if (++n < 300) setTimeout(tick, 1); else res(late / 300); };
  setTimeout(tick, 1); })`;

/** Starts training LeNet-5 (one epoch, 16,384 images) from the Train panel and measures the main thread meanwhile. */
async function mainThreadWhileTraining(page: import('@playwright/test').Page, BASE: string) {
  await page.goto(`${BASE}/?preset=lenet5`);
  await page.getByTestId('tab-train').click();
  const idleLag = (await page.evaluate(TIMER_LAG)) as number;
  await page.getByTestId('train-epochs-input').fill('1');
  await page.getByTestId('train-limit').fill('16384');
  await page.getByTestId('train-start').click();
  await page.getByTestId('train-progress').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  const trainingLag = (await page.evaluate(TIMER_LAG)) as number;
  await page.locator('[data-testid="train-status"][data-status="done"]').waitFor({ timeout: 120_000 });
  const rate = `${await page.getByTestId('train-rate').innerText()} (${await page.getByTestId('train-backend-used').innerText()})`;
  return { idleLag, trainingLag, rate: rate.split(' · loss')[0] };
}

async function main(): Promise<void> {
  const servers = await Promise.all(DISTS.map((d, i) => startPreview(PORT + i, d)));
  const browser = await launchChromium();
  try {
    const perDist = DISTS.map(() => [] as string[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [d, server] of servers.entries()) {
        const lines = await measure(browser, server.base);
        perDist[d].push(`${lines.join('\n')}\n  (load: ${execSync('uptime').toString().trim()})`);
      }
    }
    for (const [d, dist] of DISTS.entries()) {
      console.log(`${DISTS.length > 1 ? `=== ${dist} ===\n` : ''}${perDist[d].join('\n')}`);
    }
  } finally {
    await browser.close();
    for (const s of servers) s.stop();
  }
}

/** One pass of every measurement on the build served at BASE; returns the report's lines. */
async function measure(browser: import('@playwright/test').Browser, BASE: string): Promise<string[]> {
  const out: string[] = [];
  const log = (line: string) => out.push(line);
  {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // CONVAS_BENCH_CSS='<rules>': measure with a style added to every page (to try a change before making it).
    if (process.env.CONVAS_BENCH_CSS) await page.addInitScript((css: string) => {
      document.addEventListener('DOMContentLoaded', () => document.head.appendChild(Object.assign(document.createElement('style'), { textContent: css })));
    }, process.env.CONVAS_BENCH_CSS);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    /** `panned`: how far (px) the view moved meanwhile: React Flow auto-pans a drag that nears the pane's edge. */
    type Drag = { frames: number[]; longTasks: number[]; moves: number; panned: number };
    const viewAt = async (): Promise<[number, number]> =>
      (await page.evaluate(`(() => {
        const m = /translate\\(([-\\d.]+)px, *([-\\d.]+)px\\)/.exec(document.querySelector('.react-flow__viewport').style.transform);
        return m ? [Number(m[1]), Number(m[2])] : [0, 0];
      })()`)) as [number, number];
    /** Drags with the mouse from (x0, y0) for DRAG_MS, swinging `amp` px up and down and twice that sideways. */
    const drag = async (x0: number, y0: number, amp: number): Promise<Drag> => {
      await page.evaluate(`(() => {
        window.__frames = [];
        window.__rec = true;
        window.__long = [];
        window.__obs?.disconnect();
        window.__obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration)));
        window.__obs.observe({ type: 'longtask' });
        let last = performance.now();
        const tick = (t) => {
          window.__frames.push(t - last);
          last = t;
          if (window.__rec) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })()`);
      const view0 = await viewAt();
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      const start = Date.now();
      let moves = 0;
      while (Date.now() - start < DRAG_MS) {
        moves++;
        await page.mouse.move(x0 + amp * 2 * Math.sin(moves / 15), y0 + amp * Math.sin(moves / 23));
      }
      await page.mouse.up();
      const frames = (await page.evaluate('(window.__rec = false, window.__frames.slice(2))')) as number[];
      const longTasks = (await page.evaluate('window.__long')) as number[];
      const view1 = await viewAt();
      return { frames, longTasks, moves, panned: Math.round(Math.hypot(view1[0] - view0[0], view1[1] - view0[1])) };
    };
    const editLatencies = async (field: string, values: [string, string]) => {
      const latencies: number[] = [];
      const canvas: number[] = [];
      for (let k = 0; k < EDITS; k++) {
        const value = values[k % 2];
        const [total, settled] = (await page.evaluate(editStep(field, value))) as [number, number];
        latencies.push(total);
        canvas.push(settled);
      }
      return { latencies, canvas };
    };

    /**
     * One pass over the ResNet-50 preset, its 16 block instances collapsed (one box each) or all opened (every layer
     * drawn inside its instance's group): drag an instance near and with the whole graph on screen, then edit a param
     * (collapsed: an instance's exposed filters; opened: the kernel of a layer inside a block, which every instance shares).
     */
    const variant = async (open: boolean) => {
      const t0 = Date.now();
      await openResnet50(page, BASE, open);
      await page.getByTestId('tab-summary').click();
      const nodes = await page.locator('[data-testid^="summary-row-"]').count();
      const rendered = await page.locator('.react-flow__node').count();
      const loadMs = Date.now() - t0;

      // The block's first layer: centring on it keeps the instance's header (the drag handle) on screen, opened or not.
      await page.getByTestId('summary-row-conv3_block1/1_conv').click();
      await page.waitForTimeout(600);
      const box = (await page.getByTestId('block-conv3_block1').locator('.block-node-head').boundingBox())!;
      const near = await drag(box.x + box.width / 3, box.y + box.height / 2, 80);
      const undoDisabled = await page.getByTestId('undo').isDisabled();

      const pane = (await page.locator('.react-flow__pane').boundingBox())!;
      await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('f');
      await page.waitForTimeout(800);
      const renderedAll = await page.locator('.react-flow__node').count();
      // The instance nearest the pane's centre, so that the drag stays clear of the edges (where React Flow auto-pans).
      const heads = (await page.evaluate(`[...document.querySelectorAll('[data-testid^="block-"] .block-node-head')].map((h) => {
        const r = h.getBoundingClientRect();
        return [h.closest('[data-testid^="block-"]').getAttribute('data-testid'), r.x, r.y, r.width, r.height];
      })`)) as Array<[string, number, number, number, number]>;
      const [cx, cy] = [pane.x + pane.width / 2, pane.y + pane.height / 2];
      const centre = heads.sort((a, b) => Math.hypot(a[1] - cx, a[2] - cy) - Math.hypot(b[1] - cx, b[2] - cy))[0];
      const whole = centre ? await drag(centre[1] + centre[3] / 3, centre[2] + centre[4] / 2, 20) : undefined;
      const refit = async () => {
        await page.mouse.click(pane.x + 5, pane.y + 5);
        await page.keyboard.press('f');
        await page.waitForTimeout(800);
      };
      // conv4_block3 heads a column: opened, its header is near the pane's top edge, and the drag auto-pans the view.
      await refit();
      const top = await page.getByTestId('block-conv4_block3').locator('.block-node-head').boundingBox();
      const wholeTop = top ? await drag(top.x + top.width / 3, top.y + top.height / 2, 20) : undefined;
      // Panning the whole graph: a drag on the empty pane left of it (the fit view leaves a margin there).
      await refit();
      const pan = await drag(pane.x + 60, pane.y + pane.height / 2, 20);

      await page.getByTestId('tab-summary').click();
      if (open) {
        await page.getByTestId('summary-row-conv3_block1/2_conv').click();
        await page.waitForTimeout(600);
        await page.getByTestId('tab-layer').click();
        await page.getByTestId('param-kernelSize').waitFor();
      } else {
        await page.getByTestId('summary-row-conv3_block1/2_conv').click();
        await page.waitForTimeout(600);
        await page.getByTestId('block-conv3_block1').locator('.block-node-head').click();
        await page.getByTestId('tab-layer').click();
        await page.getByTestId('param-filters').waitFor();
      }
      const renderedAtEdit = await page.locator('.react-flow__node').count();
      const { latencies, canvas } = open ? await editLatencies('kernelSize', ['1', '3']) : await editLatencies('filters', ['96', '128']);
      return { nodes, rendered, loadMs, near, whole, wholeFrom: centre?.[0].replace('block-', ''), wholeTop, pan, renderedAll, renderedAtEdit, latencies, canvas, undoDisabled };
    };

    const results: Array<[string, Awaited<ReturnType<typeof variant>>]> = [];
    if (VARIANTS.includes('collapsed')) results.push(['blocks collapsed', await variant(false)]);
    if (VARIANTS.includes('opened')) results.push(['blocks opened', await variant(true)]);

    let layout: { ms: number; longest: number } | undefined;
    let training: Awaited<ReturnType<typeof mainThreadWhileTraining>> | undefined;
    if (!QUICK) {
      await page.evaluate(`(() => {
        window.__frames = [];
        window.__rec = true;
        let last = performance.now();
        const tick = (t) => { window.__frames.push(t - last); last = t; if (window.__rec) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      })()`);
      const l0 = Date.now();
      await page.getByTestId('layout-lr').click();
      await page.getByTestId('layout-lr').waitFor({ state: 'attached' });
      await page.waitForFunction('!document.querySelector(\'[data-testid="layout-lr"]\').disabled', undefined, { timeout: 60_000 });
      layout = { ms: Date.now() - l0, longest: 0 };
      layout.longest = Math.max(...((await page.evaluate('(window.__rec = false, window.__frames.slice(1))')) as number[]));
      training = await mainThreadWhileTraining(page, BASE);
    }
    await page.close();

    const report = (what: string, r: Drag) =>
      log(
        `  drag for ${DRAG_MS / 1000} s ${what} (${r.moves} mouse moves, ${r.frames.length} frames): frame time median ${ms(quantile(r.frames, 0.5))}, ` +
          `p95 ${ms(quantile(r.frames, 0.95))}, over 20 ms: ${r.frames.filter((f) => f > 20).length} (${((100 * r.frames.filter((f) => f > 20).length) / Math.max(1, r.frames.length)).toFixed(1)}%); ` +
          `long tasks (> 50 ms): ${r.longTasks.length}${r.longTasks.length ? `, longest ${ms(Math.max(...r.longTasks))}` : ''}; view panned ${r.panned} px`,
      );
    for (const [label, r] of results) {
      log(`ResNet-50 preset, ${label}: ${r.nodes} layers (${r.rendered} boxes rendered at the opening view), opened and inferred in ${r.loadMs} ms`);
      report('at a working zoom', r.near);
      if (r.whole) report(`with the whole graph on screen (${r.renderedAll} boxes rendered), ${r.wholeFrom} (nearest the centre)`, r.whole);
      if (r.wholeTop) report(`with the whole graph on screen, conv4_block3 (near the top edge when opened)`, r.wholeTop);
      report('on the empty pane with the whole graph on screen (panning it)', r.pan);
      log(`  param edit → total updated and painted (${EDITS} edits, ${r.renderedAtEdit} boxes rendered): median ${ms(quantile(r.latencies, 0.5))}, p95 ${ms(quantile(r.latencies, 0.95))}`);
      log(`  param edit → canvas caught up and painted: median ${ms(quantile(r.canvas, 0.5))}, p95 ${ms(quantile(r.canvas, 0.95))}`);
      log(`  drag recorded as an undo step: ${r.undoDisabled === false ? 'yes' : 'no'}`);
    }
    if (layout) log(`auto-layout of ResNet-50 (left to right, ELK in a worker): ${layout.ms} ms; longest frame meanwhile ${ms(layout.longest)}`);
    if (training) {
      log(
        `main thread while LeNet-5 trains with the Train panel open: 1 ms timers fire ${ms(training.trainingLag)} late on average ` +
          `(${ms(training.idleLag)} with nothing running); training ${training.rate}`,
      );
    }
    if (errors.length) {
      console.error(`page errors:\n${errors.join('\n')}`);
      process.exitCode = 1;
    }
  }
  return out;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
