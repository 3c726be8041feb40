import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { useDocStore } from '../../store/doc';
import { useInference } from '../../store/doc';
import type { RunRecord } from '../../store/run-store';
import { canResume, deleteRun, deleteRunWeights, openDesign, refreshRuns, resumeRun, setKeepEveryEpoch, useRunsStore } from '../../store/runs';
import { graphKey } from '../../store/training';
import { useUiStore } from '../../store/ui';
import { fmtBytes, fmtCompact, fmtInt } from '../format';
import { formatDuration, formatPercent } from '../train/format';
import { curvesCsv, overlay, rowOf, runsJson, sortRows, tableCsv, type RunRow, type SortKey } from './table';
import './runs.css';

const COLORS = ['#3b5bdb', '#c2255c', '#2b8a3e', '#e67700', '#7048e8', '#0b7285', '#862e9c', '#5c940d'];

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const STATE_LABEL: Record<RunRow['state'], string> = { running: 'running', interrupted: 'interrupted', finished: 'finished', stopped: 'stopped', failed: 'failed' };

const COLUMNS: Array<{ key: SortKey; label: string; title?: string; num?: boolean }> = [
  { key: 'name', label: 'Run' },
  { key: 'state', label: 'State' },
  { key: 'fingerprint', label: 'Design', title: 'Design fingerprint: runs with the same one trained the same graph' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'params', label: 'Params', num: true },
  { key: 'macs', label: 'MACs', num: true },
  { key: 'epochs', label: 'Epochs', num: true },
  { key: 'bestVal', label: 'Best val', num: true, title: 'Best validation accuracy (training accuracy when there is no validation split)' },
  { key: 'test', label: 'Test', num: true, title: 'Test accuracy at the end of the run' },
  { key: 'seconds', label: 'Time', num: true },
  { key: 'backend', label: 'Backend' },
  { key: 'bytes', label: 'Storage', num: true, title: 'Kept weights and the run record' },
];

function cell(r: RunRow, key: SortKey): string {
  switch (key) {
    case 'fingerprint': return r.fingerprint.slice(0, 8);
    case 'params': return fmtInt(r.params);
    case 'macs': return fmtCompact(r.macs);
    case 'epochs': return `${r.epochs}/${r.plannedEpochs}`;
    case 'bestVal': return r.bestVal === undefined ? '—' : formatPercent(r.bestVal);
    case 'test': return r.test === undefined ? '—' : formatPercent(r.test);
    case 'seconds': return formatDuration(r.seconds);
    case 'bytes': return fmtBytes(r.bytes);
    case 'state': return STATE_LABEL[r.state];
    case 'createdAt': return new Date(r.createdAt).toLocaleString();
    default: return String(r[key] || '—');
  }
}

/** Overlaid per-epoch curves of the picked runs. */
function CompareCharts({ runs, color }: { runs: RunRecord[]; color: (id: string) => string }) {
  const chart = (title: string, testid: string, metrics: Array<['loss' | 'acc' | 'valLoss' | 'valAcc', string]>, pct: boolean) => {
    const series = metrics.map(([m, label]) => ({ m, label, data: overlay(runs, m) })).filter((s) => s.data.length);
    return (
      <div className="runs-chart" data-testid={testid}>
        <div className="runs-chart-title">{title}</div>
        <ResponsiveContainer width="100%" height={190}>
          <LineChart margin={{ top: 4, right: 12, bottom: 12, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
            <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} fontSize={11} label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
            <YAxis width={44} fontSize={11} domain={pct ? [0, 1] : ['auto', 'auto']} tickFormatter={(v: number) => (pct ? `${Math.round(v * 100)}%` : v.toFixed(2))} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? (pct ? formatPercent(v) : v.toFixed(4)) : String(v))} labelFormatter={(l) => `epoch ${l}`} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {series.flatMap((s, si) =>
              runs.map((r) => (
                <Line key={`${s.m}-${r.id}`} data={s.data} dataKey={r.id} name={`${r.name} ${s.label}`} stroke={color(r.id)} strokeDasharray={si ? '4 3' : undefined} isAnimationActive={false} connectNulls />
              )),
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
    );
  };
  return (
    <div className="runs-charts">
      {chart('Loss', 'runs-loss-chart', [['loss', 'train'], ['valLoss', 'val']], false)}
      {chart('Accuracy', 'runs-acc-chart', [['acc', 'train'], ['valAcc', 'val']], true)}
    </div>
  );
}

/** Accuracy against cost for every run: the trade-off; a click opens the run. */
function TradeOff({ rows, onOpen, color }: { rows: RunRow[]; onOpen(id: string): void; color(id: string): string | undefined }) {
  const [axis, setAxis] = useState<'params' | 'macs'>('params');
  const points = rows.filter((r) => r.bestVal !== undefined).map((r) => ({ id: r.id, name: r.name, cost: r[axis], acc: r.test ?? r.bestVal!, fill: color(r.id) ?? '#868e96' }));
  const costs = points.map((p) => p.cost);
  // Log axis, padded so the cheapest and the dearest run are not drawn on the frame.
  const domain = costs.length ? [Math.max(1, Math.min(...costs) / 1.6), Math.max(...costs) * 1.6] : [1, 10];
  return (
    <div className="runs-chart" data-testid="runs-scatter">
      <div className="runs-chart-title">
        Accuracy (test, else best validation) against{' '}
        <select value={axis} onChange={(e) => setAxis(e.target.value as 'params' | 'macs')} data-testid="runs-scatter-axis" aria-label="Cost axis">
          <option value="params">params</option>
          <option value="macs">MACs</option>
        </select>
      </div>
      {points.length === 0 ? (
        <p className="small muted">Runs appear here once they finished an epoch.</p>
      ) : (
        <ResponsiveContainer width="100%" height={200}>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 12, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e5eb" />
            <XAxis dataKey="cost" type="number" name={axis} scale="log" domain={domain} fontSize={11} tickFormatter={(v: number) => fmtCompact(v)} />
            <YAxis dataKey="acc" type="number" name="accuracy" width={44} fontSize={11} domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
            <ZAxis range={[70, 70]} />
            <Tooltip
              cursor={{ strokeDasharray: '3 3' }}
              content={({ payload }) => {
                const p = payload?.[0]?.payload as (typeof points)[number] | undefined;
                return p ? <div className="runs-tip">{p.name}<br />{fmtCompact(p.cost)} {axis} · {formatPercent(p.acc)}</div> : null;
              }}
            />
            <Scatter data={points} isAnimationActive={false} onClick={(p: { payload?: { id?: string }; id?: string }) => { const id = p.payload?.id ?? p.id; if (id) onOpen(id); }} style={{ cursor: 'pointer' }} />
          </ScatterChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}

/** A button that asks once more before it does something that cannot be undone. */
function ConfirmButton({ label, confirm, onConfirm, testid }: { label: string; confirm: string; onConfirm(): void; testid: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return <button className="btn small" onClick={() => setAsking(true)} data-testid={testid}>{label}</button>;
  return (
    <span className="runs-confirm">
      {confirm}{' '}
      <button className="btn small danger" onClick={() => (setAsking(false), onConfirm())} data-testid={`${testid}-yes`}>Yes</button>{' '}
      <button className="btn small" onClick={() => setAsking(false)}>No</button>
    </span>
  );
}

/** The confusion matrix Inspect computed on the run's weights, as a small heat table (rows: true class). */
function ConfusionMini({ confusion }: { confusion: number[][] }) {
  const n = confusion.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  const correct = confusion.reduce((s, r, i) => s + (r[i] ?? 0), 0);
  const max = Math.max(1, ...confusion.flat());
  return (
    <details className="small" data-testid="run-confusion">
      <summary>Confusion matrix: {n} test images, {formatPercent(n ? correct / n : 0)} right</summary>
      <table className="runs-confusion">
        <tbody>
          {confusion.map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j} title={`true ${i}, predicted ${j}: ${v}`} style={{ background: `rgba(${i === j ? '43,138,62' : '201,42,42'},${v / max})` }}>{v || ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** The picked run: what it is, and what can be done with it. */
function RunDetail({ run, activeId, onError }: { run: RunRecord; activeId: string | null; onError(text: string): void }) {
  const runs = useRunsStore((s) => s.runs);
  const row = rowOf(run, activeId);
  const current = graphKey(useDocStore((s) => s.project.graph)) === run.fingerprint;
  const act = (what: string, f: () => Promise<void> | void) => async () => {
    try {
      await f();
    } catch (e) {
      onError(`${what} failed: ${(e as Error).message}`);
    }
  };
  return (
    <div className="runs-detail" data-testid="run-detail" data-run={run.id}>
      <div className="runs-detail-head">
        <strong>{run.name}</strong> <span className={`runs-state ${row.state}`} data-testid="run-detail-state">{STATE_LABEL[row.state]}</span>
      </div>
      <p className="small muted">
        {run.projectName} · {new Date(run.createdAt).toLocaleString()} · {run.settings.datasetId}, {run.settings.optimizer} lr {run.settings.learningRate}, batch {run.settings.batchSize}, {row.epochs}/{run.settings.epochs} epochs
        {run.resumes ? ` · resumed ${run.resumes}×` : ''}
        {run.info ? ` · ${run.info.backend.name}` : ''}
        {current ? ' · the design open now' : ''}
      </p>
      <p className="small" data-testid="run-detail-weights">
        {run.kept.length
          ? `Weights kept for epoch${run.kept.length > 1 ? 's' : ''} ${run.kept.map((k) => k.epoch).join(', ')}${run.bestEpoch ? ` (best: ${run.bestEpoch})` : ''}: ${fmtBytes(run.kept.reduce((s, k) => s + k.bytes, 0))}.`
          : 'No weights kept (deleted, or not saved).'}
      </p>
      {run.startedFrom && (
        <p className="small" data-testid="run-detail-carry" data-kept={run.startedFrom.kept.join(',')} data-fresh={run.startedFrom.fresh.map((f) => f.name).join(',')}>
          Started from the trained weights of {run.startedFrom.kept.length} unchanged layer{run.startedFrom.kept.length === 1 ? '' : 's'}
          {(() => { const src = runs.find((r) => r.id === run.startedFrom!.runId); return src ? ` of “${src.name}”` : ''; })()} ({run.startedFrom.kept.join(', ')})
          {run.startedFrom.fresh.length > 0 ? `; ${run.startedFrom.fresh.length} started fresh (${run.startedFrom.fresh.map((f) => `${f.name}: ${f.reason}`).join(', ')})` : ''}.
        </p>
      )}
      {run.confusion && <ConfusionMini confusion={run.confusion} />}
      {run.message && <p className="small runs-warn">{run.message}</p>}
      {run.problems.map((p) => <p key={p} className="small runs-warn">{p}</p>)}
      {row.state === 'interrupted' && (
        <p className="small runs-warn" data-testid="run-interrupted">
          This run was interrupted (page reloaded or closed, or the worker crashed). Everything up to epoch {run.kept.at(-1)?.epoch ?? 0} is kept.
        </p>
      )}
      <div className="runs-actions">
        {canResume(run, activeId) && (
          <button className="btn small primary" data-testid="run-resume" disabled={activeId !== null} title="Continues with the kept weights and the run's settings; the optimizer's state (momentum, Adam's moments) starts afresh" onClick={act('Resume', () => resumeRun(run).then(() => useUiStore.getState().setTab('train')))}>
            Resume from epoch {(run.kept.at(-1)?.epoch ?? 0) + 1}
          </button>
        )}
        <button className="btn small" data-testid="run-restore-design" onClick={act('Restore', () => { openDesign(run); useUiStore.getState().requestView({ type: 'open' }); })}>Restore this design</button>
        {run.kept.length > 0 && row.state !== 'running' && <ConfirmButton label="Delete weights" confirm="Delete this run's weights (curves stay)?" testid="run-delete-weights" onConfirm={act('Delete', () => deleteRunWeights(run))} />}
        {row.state !== 'running' && <ConfirmButton label="Delete run" confirm="Delete this run and its weights?" testid="run-delete" onConfirm={act('Delete', () => deleteRun(run))} />}
      </div>
      {canResume(run, activeId) && <p className="small muted">Resuming restarts the optimizer's state (momentum, Adam's moments) from zero.</p>}
    </div>
  );
}

/** The Runs tab: every kept training run, compared. */
export function RunsPanel() {
  const { runs, skipped, loaded, activeId, problem, storage, keepEveryEpoch } = useRunsStore();
  const projectId = useDocStore((s) => s.projectId);
  const params = useInference().totals.params;
  const [scope, setScope] = useState<'project' | 'all'>('project');
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({ key: 'createdAt', dir: 'desc' });
  const [picked, setPicked] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!loaded) void refreshRuns();
  }, [loaded]);
  const designKey = graphKey(useDocStore((s) => s.project.graph));
  // A design restored from a run opens as a new project: its runs are still "this project's".
  const shown = useMemo(() => runs.filter((r) => scope === 'all' || r.projectId === projectId || r.fingerprint === designKey), [runs, scope, projectId, designKey]);
  const rows = useMemo(() => sortRows(shown.map((r) => rowOf(r, activeId)), sort.key, sort.dir), [shown, activeId, sort]);
  const pickedRuns = shown.filter((r) => picked.includes(r.id));
  const color = (id: string) => COLORS[Math.max(0, picked.indexOf(id)) % COLORS.length];
  const openRun = runs.find((r) => r.id === open);
  const total = runs.reduce((s, r) => s + rowOf(r, activeId).bytes, 0);
  const toggleSort = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key && s.dir === 'desc' ? 'asc' : 'desc' }));
  const exported = pickedRuns.length ? pickedRuns : shown;
  return (
    <div className="runs" data-testid="runs-panel">
      <div className="runs-bar">
        <label className="small">
          <select value={scope} onChange={(e) => setScope(e.target.value as 'project' | 'all')} data-testid="runs-scope" aria-label="Which runs">
            <option value="project">This project's and design's runs</option>
            <option value="all">All projects' runs</option>
          </select>
        </label>
        <span className="small muted" data-testid="runs-storage">
          Runs take {fmtBytes(total)}{storage ? ` · this site uses ${fmtBytes(storage.usage)} of ${fmtBytes(storage.quota)}` : ''}
        </span>
        <span className="runs-spacer" />
        <span className="runs-export">
        <span className="small muted">Export {pickedRuns.length ? `${pickedRuns.length} picked` : 'all shown'}:</span>
        <button className="btn small" data-testid="runs-export-csv" onClick={() => download('convas-runs.csv', tableCsv(rows.filter((r) => exported.some((x) => x.id === r.id))), 'text/csv')}>Table CSV</button>
        <button className="btn small" data-testid="runs-export-curves" onClick={() => download('convas-curves.csv', curvesCsv(exported), 'text/csv')}>Curves CSV</button>
        <button className="btn small" data-testid="runs-export-json" onClick={() => download('convas-runs.json', runsJson(exported), 'application/json')}>JSON</button>
        </span>
      </div>
      <label className="small runs-keep">
        <input type="checkbox" checked={keepEveryEpoch} onChange={(e) => setKeepEveryEpoch(e.target.checked)} data-testid="runs-keep-every-epoch" />
        Keep every epoch's weights of the next runs (for playback), not only the last and the best: about {fmtBytes(params * 4)} per epoch for this design.
      </label>
      {problem && <p className="small runs-warn" data-testid="runs-problem">{problem}</p>}
      {error && <p className="small runs-warn">{error}</p>}
      {skipped.map((s) => <p key={s} className="small runs-warn" data-testid="runs-skipped">{s}</p>)}
      {!loaded ? (
        <p className="small muted">Reading the kept runs…</p>
      ) : rows.length === 0 ? (
        <p className="small muted" data-testid="runs-empty">No runs {scope === 'project' ? 'of this project ' : ''}yet. Every training run is kept here as it goes.</p>
      ) : (
        <div className="runs-table-wrap">
          <table className="runs-table" data-testid="runs-table">
            <thead>
              <tr>
                <th title="Pick runs to compare their curves">Cmp</th>
                {COLUMNS.map((c) => (
                  <th key={c.key} title={c.title} className={c.num ? 'num' : undefined}>
                    <button className="runs-sort" onClick={() => toggleSort(c.key)} data-testid={`runs-sort-${c.key}`} aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                      {c.label}{sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={r.id === open ? 'open' : undefined} data-testid="runs-row" data-run={r.id} data-state={r.state} onClick={() => setOpen(r.id)}>
                  <td onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox" aria-label={`Compare ${r.name}`} data-testid="runs-pick" checked={picked.includes(r.id)}
                      onChange={(e) => setPicked((p) => (e.target.checked ? [...p, r.id] : p.filter((x) => x !== r.id)))}
                    />
                    {picked.includes(r.id) && <span className="runs-swatch" style={{ background: color(r.id) }} />}
                  </td>
                  {COLUMNS.map((c) => (
                    <td key={c.key} className={c.num ? 'num' : undefined} data-col={c.key} title={c.key === 'fingerprint' ? r.fingerprint : undefined}>
                      {c.key === 'state' ? <span className={`runs-state ${r.state}`}>{cell(r, c.key)}</span> : cell(r, c.key)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {openRun && <RunDetail run={openRun} activeId={activeId} onError={setError} />}
      {pickedRuns.length > 0 ? <CompareCharts runs={pickedRuns} color={color} /> : rows.length > 0 && <p className="small muted">Tick runs in the first column to overlay their curves.</p>}
      {rows.length > 0 && <TradeOff rows={rows} onOpen={setOpen} color={(id) => (picked.includes(id) ? color(id) : undefined)} />}
    </div>
  );
}
