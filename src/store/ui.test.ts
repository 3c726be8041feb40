import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultPanelLayout, PANEL_LAYOUT_KEY, readPanelLayout, TOAST_MS, useUiStore } from './ui';

const toasts = () => useUiStore.getState().toasts;
const { toast } = useUiStore.getState();

describe('notifications', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useUiStore.setState({ toasts: [] });
  });
  afterEach(() => {
    for (const t of toasts()) useUiStore.getState().dismissToast(t.id);
    vi.useRealTimers();
  });

  it('lets informational and success messages leave by themselves, and keeps errors until dismissed', () => {
    toast('info', 'Layout done');
    toast('success', 'Imported lenet.convas.json');
    toast('error', 'Import refused');
    expect(toasts().map((t) => t.kind)).toEqual(['info', 'success', 'error']);
    vi.advanceTimersByTime(TOAST_MS - 1);
    expect(toasts()).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(toasts().map((t) => t.text)).toEqual(['Import refused']);
    vi.advanceTimersByTime(10 * 60_000);
    expect(toasts().map((t) => t.text)).toEqual(['Import refused']);
    useUiStore.getState().dismissToast(toasts()[0].id);
    expect(toasts()).toEqual([]);
  });

  it('collapses a repeated error into one toast with a counter, newest last under a new id', () => {
    toast('error', 'Connection refused: cycle');
    toast('error', 'Something else');
    const first = toasts()[0].id;
    toast('error', 'Connection refused: cycle');
    toast('error', 'Connection refused: cycle');
    expect(toasts().map((t) => [t.text, t.count])).toEqual([
      ['Something else', 1],
      ['Connection refused: cycle', 3],
    ]);
    expect(toasts()[1].id).not.toBe(first);
  });

  it('restarts the clock of a repeated informational message', () => {
    toast('info', 'Copied 2 layers');
    vi.advanceTimersByTime(TOAST_MS - 100);
    toast('info', 'Copied 2 layers');
    vi.advanceTimersByTime(200);
    expect(toasts().map((t) => t.count)).toEqual([2]);
    vi.advanceTimersByTime(TOAST_MS);
    expect(toasts()).toEqual([]);
  });

  it('drops the oldest informational messages past three, never an error', () => {
    toast('error', 'E');
    for (const n of [1, 2, 3, 4, 5]) toast('info', `I${n}`);
    expect(toasts().map((t) => t.text)).toEqual(['E', 'I3', 'I4', 'I5']);
  });
});

describe('remembered panel layout', () => {
  const storage = (value: string | null) => ({ getItem: (k: string) => (k === PANEL_LAYOUT_KEY ? value : null) });

  it('reads back a layout that passes the schema', () => {
    const saved = { paletteOpen: false, sideOpen: true, paletteWidth: 200, sideWidth: 420, sideWideWidth: 600 };
    expect(readPanelLayout(storage(JSON.stringify(saved)), 1440)).toEqual(saved);
  });

  it('falls back to widths for the window on missing, malformed or out-of-range values', () => {
    expect(readPanelLayout(storage(null), 1440)).toEqual(defaultPanelLayout(1440));
    expect(readPanelLayout(storage('{not json'), 800)).toEqual(defaultPanelLayout(800));
    expect(readPanelLayout(storage(JSON.stringify({ paletteOpen: true, sideOpen: true, paletteWidth: 20, sideWidth: 380, sideWideWidth: 480 })), 1440)).toEqual(defaultPanelLayout(1440));
    expect(readPanelLayout(storage(JSON.stringify({ paletteOpen: 'yes' })), 1440)).toEqual(defaultPanelLayout(1440));
    expect(readPanelLayout(null, 1440)).toEqual(defaultPanelLayout(1440));
    expect(defaultPanelLayout(800).sideWidth).toBeLessThan(defaultPanelLayout(1440).sideWidth);
  });
});
