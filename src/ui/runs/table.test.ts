import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../store/run-store';
import { defaultTrainSettings } from '../../train/protocol';
import { curvesCsv, overlay, rowOf, runsJson, sortRows, tableCsv } from './table';

function run(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1, id, name: id, projectId: 'p', projectName: 'P', createdAt: 1, updatedAt: 1, status: 'finished', graph: { nodes: [], edges: [] },
    fingerprint: `f-${id}`, settings: { ...defaultTrainSettings, epochs: 2 }, params: 100, macs: 1000, batches: [], epochs: [], seconds: 10,
    keepEveryEpoch: false, kept: [], problems: [], resumes: 0, ...patch,
  };
}
const ep = (epoch: number, acc: number, valAcc?: number) => ({ epoch, loss: 1 - acc, acc, valLoss: valAcc === undefined ? undefined : 1 - valAcc, valAcc, seconds: 1 });

describe('runs table', () => {
  const a = run('a', { params: 300, epochs: [ep(1, 0.5, 0.6), ep(2, 0.7, 0.65)], test: { loss: 0.3, acc: 0.66 } });
  const b = run('b, "wide"', { params: 100, epochs: [ep(1, 0.8)] });
  const c = run('c', { params: 200, status: 'running' });

  it('derives rows: best validation accuracy (training accuracy without validation), state, epochs', () => {
    expect(rowOf(a, null)).toMatchObject({ bestVal: 0.65, test: 0.66, epochs: 2, plannedEpochs: 2, state: 'finished' });
    expect(rowOf(b, null).bestVal).toBe(0.8);
    expect(rowOf(c, null).state).toBe('interrupted');
    expect(rowOf(c, 'c').state).toBe('running');
  });

  it('sorts either way, missing values last', () => {
    const rows = [a, b, c].map((r) => rowOf(r, null));
    expect(sortRows(rows, 'params', 'asc').map((r) => r.id)).toEqual(['b, "wide"', 'c', 'a']);
    expect(sortRows(rows, 'params', 'desc').map((r) => r.id)).toEqual(['a', 'c', 'b, "wide"']);
    expect(sortRows(rows, 'bestVal', 'desc').map((r) => r.id)).toEqual(['b, "wide"', 'a', 'c']);
    expect(sortRows(rows, 'bestVal', 'asc').map((r) => r.id)).toEqual(['a', 'b, "wide"', 'c']);
  });

  it('exports CSV with quoting, per-epoch curves, and JSON without weights', () => {
    const table = tableCsv([rowOf(b, null)]).split('\n');
    expect(table[0]).toMatch(/^id,name,project,state,fingerprint,dataset,params,macs,epochs/);
    expect(table[1]).toMatch(/^"b, ""wide""","b, ""wide""",P,finished,/);
    const curves = curvesCsv([a]).trim().split('\n');
    expect(curves).toEqual(['run_id,run,epoch,loss,acc,val_loss,val_acc,test_loss,test_acc,seconds', 'a,a,1,0.5,0.5,0.4,0.6,,,1', 'a,a,2,0.30000000000000004,0.7,0.35,0.65,,,1']);
    const json = JSON.parse(runsJson([a]));
    expect(json).toMatchObject({ format: 'convas-runs', runs: [{ id: 'a', epochs: [{ epoch: 1 }, { epoch: 2 }] }] });
  });

  it('overlays runs by epoch', () => {
    expect(overlay([a, b], 'acc')).toEqual([{ epoch: 1, a: 0.5, 'b, "wide"': 0.8 }, { epoch: 2, a: 0.7 }]);
    expect(overlay([a, b], 'valAcc')).toEqual([{ epoch: 1, a: 0.6 }, { epoch: 2, a: 0.65 }]);
  });
});
