/**
 * `npx tsx bench/ui-profile.ts <scenario> [outDir]`: where the main thread's time goes in one step of the UI bench
 * (bench/ui.bench.ts), to find what to fix rather than to report figures.
 * Scenarios: `collapsed-edit`, `opened-edit`, `collapsed-drag`, `opened-drag` (working zoom), `opened-drag-whole`.
 * Serves `outDir` (default dist-prof: `npx vite build --minify false --outDir dist-prof` keeps function names) and
 * prints, for the measured step only: the renderer main thread's self time by trace event (script, style, layout,
 * paint…) per step, how many elements a style recalculation touched and how many objects a layout did, and the
 * CPU profile's heaviest functions by self time (`CONVAS_PROFILE_CPU=0` leaves the sampling profiler off: its own cost
 * shows as native time). `CONVAS_PROFILE_CSS='<rules>'` adds a style first (e.g. hides a part) to see what it costs. `CONVAS_PROFILE_STEPS` sets the steps; `CONVAS_PROFILE_JSON=file` writes the raw trace.
 */
import { writeFileSync } from 'node:fs';
import { editStep, launchChromium, openResnet50, startPreview } from './preview';

const scenario = process.argv[2] ?? 'opened-drag';
const outDir = process.argv[3] ?? 'dist-prof';
const PORT = Number(process.env.CONVAS_BENCH_PORT ?? 4329);
const STEPS = Number(process.env.CONVAS_PROFILE_STEPS ?? 120);

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: unlike dur, it leaves out the time the thread waited for a core on a loaded machine. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; elementCount?: number; beginData?: { dirtyObjects?: number; totalObjects?: number } };
}

/** Self time (ms) by event name on the renderer's main thread, from nested complete events. */
function selfTimes(events: TraceEvent[]): { self: Map<string, number>; cpu: Map<string, number>; styleElements: number[]; layoutObjects: number[] } {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const self = new Map<string, number>();
  const cpu = new Map<string, number>();
  const styleElements: number[] = [];
  const layoutObjects: number[] = [];
  if (!main) return { self, cpu, styleElements, layoutObjects };
  const xs = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const stack: Array<{ e: TraceEvent; end: number; child: number; childCpu: number }> = [];
  const close = (upTo: number) => {
    while (stack.length && stack[stack.length - 1].end <= upTo) {
      const top = stack.pop()!;
      self.set(top.e.name, (self.get(top.e.name) ?? 0) + (top.e.dur! - top.child) / 1000);
      cpu.set(top.e.name, (cpu.get(top.e.name) ?? 0) + Math.max(0, (top.e.tdur ?? 0) - top.childCpu) / 1000);
      if (stack.length) {
        stack[stack.length - 1].child += top.e.dur!;
        stack[stack.length - 1].childCpu += top.e.tdur ?? 0;
      }
    }
  };
  for (const e of xs) {
    close(e.ts);
    stack.push({ e, end: e.ts + e.dur!, child: 0, childCpu: 0 });
    if (e.name === 'UpdateLayoutTree' && e.args?.elementCount !== undefined) styleElements.push(e.args.elementCount);
    if (e.name === 'Layout' && e.args?.beginData?.dirtyObjects !== undefined) layoutObjects.push(e.args.beginData.dirtyObjects);
  }
  close(Infinity);
  return { self, cpu, styleElements, layoutObjects };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

async function main(): Promise<void> {
  const { base, stop } = await startPreview(PORT, outDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    const open = scenario.startsWith('opened');
    await openResnet50(page, base, open);
    await page.getByTestId('tab-summary').click();
    let step: (k: number) => Promise<void>;
    let finish = async () => {};
    /** Per edit step: ms until the total was painted / until the canvas caught up. */
    const edits: string[] = [];
    if (scenario.endsWith('edit')) {
      await page.getByTestId('summary-row-conv3_block1/2_conv').click();
      await page.waitForTimeout(600);
      if (!open) await page.getByTestId('block-conv3_block1').locator('.block-node-head').click();
      await page.getByTestId('tab-layer').click();
      const field = open ? 'kernelSize' : 'filters';
      const values = open ? ['1', '3'] : ['96', '128'];
      await page.getByTestId(`param-${field}`).waitFor();
      step = async (k) => {
        const [total, canvas] = (await page.evaluate(editStep(field, values[k % 2]))) as [number, number];
        edits.push(`${total.toFixed(0)}/${canvas.toFixed(0)}`);
      };
    } else {
      let box;
      let amp = 80;
      if (scenario.endsWith('whole')) {
        await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
        await page.keyboard.press('f');
        await page.waitForTimeout(800);
        box = (await page.getByTestId('block-conv4_block3').locator('.block-node-head').boundingBox())!;
        amp = 20;
      } else {
        await page.getByTestId('summary-row-conv3_block1/1_conv').click();
        await page.waitForTimeout(600);
        box = (await page.getByTestId('block-conv3_block1').locator('.block-node-head').boundingBox())!;
      }
      const x0 = box.x + box.width / 3;
      const y0 = box.y + box.height / 2;
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      await page.mouse.move(x0 + 5, y0 + 5);
      step = async (k) => {
        await page.mouse.move(x0 + amp * 2 * Math.sin(k / 15), y0 + amp * Math.sin(k / 23));
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(0)))');
      };
      finish = () => page.mouse.up();
    }
    // CONVAS_PROFILE_CSS='<rules>': try a style change (hide a part, add containment…) to see what it saves per step.
    if (process.env.CONVAS_PROFILE_CSS) await page.addStyleTag({ content: process.env.CONVAS_PROFILE_CSS });
    for (let k = 0; k < 4; k++) await step(k); // warm up
    console.log(`boxes in the DOM: ${await page.locator('.react-flow__node').count()}, edges: ${await page.locator('.react-flow__edge').count()}`);

    // What the DOM changes per step: added/removed elements and changed attributes, by the element's first class.
    await page.evaluate(`(() => {
      window.__mut = new Map();
      const key = (n) => (n.nodeType === 1 ? (n.tagName.toLowerCase() + '.' + ((typeof n.className === 'string' ? n.className : n.className.baseVal) || '').split(' ')[0]) : '#text');
      const bump = (k) => window.__mut.set(k, (window.__mut.get(k) || 0) + 1);
      window.__mo = new MutationObserver((ms) => ms.forEach((m) => {
        if (m.type === 'attributes') bump('attr ' + m.attributeName + ' on ' + key(m.target));
        else if (m.type === 'characterData') bump('text in ' + key(m.target.parentNode || m.target));
        else { m.addedNodes.forEach((n) => bump('added ' + key(n))); m.removedNodes.forEach((n) => bump('removed ' + key(n))); }
      }));
      window.__mo.observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    })()`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    // CONVAS_PROFILE_LIGHT=1: only the top-level tasks, whose thread time is then nearly free of the tracer's own cost.
    const categories = process.env.CONVAS_PROFILE_LIGHT === '1' ? ['toplevel'] : ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'];
    await browser.startTracing(page, { categories });
    const cpu = process.env.CONVAS_PROFILE_CPU !== '0';
    if (cpu) await cdp.send('Profiler.start');
    const t0 = Date.now();
    for (let k = 4; k < 4 + STEPS; k++) await step(k);
    const wall = Date.now() - t0;
    const { profile } = cpu
      ? ((await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } })
      : { profile: { nodes: [], samples: [], timeDeltas: [] } };
    const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
    const mutations = (await page.evaluate('(window.__mo.disconnect(), [...window.__mut])')) as Array<[string, number]>;
    await finish();
    if (process.env.CONVAS_PROFILE_JSON) writeFileSync(process.env.CONVAS_PROFILE_JSON, JSON.stringify(trace));

    const { self, cpu: cpuSelf, styleElements, layoutObjects } = selfTimes(trace.traceEvents);
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const totalCpu = [...cpuSelf.values()].reduce((a, b) => a + b, 0);
    console.log(
      `${scenario} (${outDir}): ${STEPS} steps in ${wall} ms wall (${(wall / STEPS).toFixed(1)} ms/step); main thread busy ${(total / STEPS).toFixed(1)} ms/step, ` +
        `of which on a core (thread time) ${(totalCpu / STEPS).toFixed(1)} ms/step`,
    );
    if (edits.length) console.log(`  edits, ms to the total painted / to the canvas caught up: ${edits.slice(4).join(' ')}`);
    console.log('  self time by event, wall / thread ms per step:');
    for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
      console.log(`  ${(t / STEPS).toFixed(2).padStart(7)} / ${((cpuSelf.get(name) ?? 0) / STEPS).toFixed(2).padStart(6)}  ${name}`);
    }
    const mean = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(0) : '-');
    console.log(`  style recalcs: ${styleElements.length} (${mean(styleElements)} elements each); layouts: ${layoutObjects.length} (${mean(layoutObjects)} dirty objects each)`);

    console.log('  DOM mutations per step:');
    for (const [k, n] of mutations.sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${(n / STEPS).toFixed(2).padStart(7)}  ${k}`);
    const byFn = new Map<string, number>();
    const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const n = nodeById.get(id)!;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      byFn.set(key, (byFn.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    // Inclusive time of the app's and libraries' named functions (components, hooks, store listeners).
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const incl = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = nodeById.get(at)!.callFrame;
        if (!f.url || !f.functionName) continue;
        const key = `${f.functionName} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
        if (seen.has(key)) continue;
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
    });
    if (process.env.CONVAS_PROFILE_INCL) {
      console.log('  heaviest functions (inclusive ms/step):');
      for (const [name, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.CONVAS_PROFILE_INCL))) console.log(`  ${(t / STEPS).toFixed(2).padStart(7)}  ${name}`);
    }
    console.log('  heaviest functions (self ms/step):');
    for (const [name, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 22)) console.log(`  ${(t / STEPS).toFixed(2).padStart(7)}  ${name}`);
  } finally {
    await browser.close();
    stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
