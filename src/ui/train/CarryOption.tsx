import type { WeightCarry } from '../../compile/carry';
import { nameList } from '../stale';

const layers = (n: number) => `${n} layer${n === 1 ? '' : 's'}`;

/**
 * The Train tab's choice after an edit of a trained design: start the next run from the trained weights of the layers
 * the edit left alone (the others start fresh), listing which is which and why.
 */
export function CarryOption({ carry, checked, onChange, disabled }: { carry: WeightCarry; checked: boolean; onChange(v: boolean): void; disabled: boolean }) {
  const kept = carry.kept.map((k) => k.name);
  const fresh = carry.fresh.map((f) => `${f.name} (${f.reason})`);
  return (
    <div className="train-carry" data-testid="train-carry" data-kept={kept.join(',')} data-fresh={carry.fresh.map((f) => f.name).join(',')}>
      <label>
        <input type="checkbox" data-testid="train-carry-check" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
        Start from the trained weights of unchanged layers
      </label>
      <div className="train-hint" data-testid="train-carry-summary">
        <b>{layers(kept.length)} kept, {carry.fresh.length} fresh</b>
        {' '}· kept: {nameList(kept)}
        {fresh.length > 0 && <> · fresh: {nameList(fresh)}</>}
        {checked ? '. The fresh layers start from new random weights; the optimizer starts afresh.' : '. Unticked, every layer starts from new random weights.'}
      </div>
    </div>
  );
}
