import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { fromImportWorkerSchema, type DatasetExamples, type FromImportWorker, type PickedFile, type ToImportWorker } from '../data/import-protocol';
import { deleteDataset, listDatasets, storageEstimate, type StorageEstimate } from '../data/store';
import { defaultImportOptions, type DatasetMeta, type ImportOptions } from '../data/types';

export type { PickedFile, DatasetExamples };

/** An import under way: what the worker is doing (`reading`, `decoding`, `converting`, `storing`) and how far it is. */
export interface ImportState {
  /** What was picked or dropped, as the user sees it ("shapes.zip", "3 files"). */
  source: string;
  phase: string;
  done: number;
  total: number;
}

/** What the user chose for the next import; turned into ImportOptions against the graph's Input when it starts. */
export interface ImportChoice {
  /** `input`: the graph's Input layer's H×W×C; `files`: the most common size in the files; `custom`: `custom`. */
  size: 'input' | 'files' | 'custom';
  custom: [number, number, 1 | 3];
  testPercent: number;
  seed: number;
  standardize: boolean;
  /** CSV label column (a header name or a 0-based index); empty: the default guess. */
  labelColumn: string;
  csvLayout: 'series' | 'image';
}

export const defaultImportChoice: ImportChoice = {
  size: 'input',
  custom: [32, 32, 3],
  testPercent: Math.round(defaultImportOptions.testFraction * 100),
  seed: defaultImportOptions.seed,
  standardize: defaultImportOptions.standardize,
  labelColumn: '',
  csvLayout: 'series',
};

/**
 * The options of an import: the image size follows the choice (`input` only when the graph's Input is H×W×C with 1 or
 * 3 channels; otherwise the files' own size).
 */
export function importOptionsFor(choice: ImportChoice, inputShape: readonly number[] | undefined): ImportOptions {
  const imageInput = inputShape && inputShape.length === 3 && (inputShape[2] === 1 || inputShape[2] === 3);
  const imageShape: ImportOptions['imageShape'] =
    choice.size === 'custom' ? [...choice.custom] : choice.size === 'input' && imageInput ? [inputShape[0], inputShape[1], inputShape[2] as 1 | 3] : undefined;
  const label = choice.labelColumn.trim();
  return {
    testFraction: choice.testPercent / 100,
    seed: choice.seed,
    standardize: choice.standardize,
    csvLayout: choice.csvLayout,
    ...(imageShape ? { imageShape } : {}),
    ...(label ? { labelColumn: /^\d+$/.test(label) ? Number(label) : label } : {}),
  };
}

/** The datasets stored in this browser and the import in progress. The Data and Train panels read it. */
export interface DatasetsState {
  /** Stored datasets, newest first (null until read from IndexedDB). */
  datasets: DatasetMeta[] | null;
  /** Stored records that could not be read, one sentence each (from listDatasets). */
  skipped: string[];
  importing: ImportState | null;
  /** The last import's or deletion's failure, naming the file at fault when one is. Cleared by the next import. */
  error: { message: string; file?: string } | null;
  /** The dataset the preview shows (the one just imported, or one picked from the list). */
  previewId: string | null;
  /** Example samples per dataset id, fetched from the worker on demand. */
  examples: Record<string, DatasetExamples | { error: string }>;
  estimate: StorageEstimate | null;
  choice: ImportChoice;

  setChoice(patch: Partial<ImportChoice>): void;
  /** Reads the list and the storage estimate from IndexedDB. */
  load(): Promise<void>;
  /** Imports files in the worker; resolves with the stored meta, or null when it failed (see `error`). */
  import(files: PickedFile[], options: ImportOptions, name?: string): Promise<DatasetMeta | null>;
  /** Deletes a stored dataset. */
  remove(id: string): Promise<void>;
  /** Shows a dataset in the preview, asking the worker for its examples when they are not here yet. */
  preview(id: string | null): void;
}

export interface DatasetsDeps {
  createWorker(): Worker;
  list: typeof listDatasets;
  remove: typeof deleteDataset;
  estimate: typeof storageEstimate;
}

const defaultDeps: DatasetsDeps = {
  createWorker: () => new Worker(new URL('../data/import.worker.ts', import.meta.url), { type: 'module', name: 'convas-import' }),
  list: listDatasets,
  remove: deleteDataset,
  estimate: storageEstimate,
};

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** "shapes.zip", "shapes" (a folder), or "3 files". */
export function describeSource(files: PickedFile[]): string {
  const tops = [...new Set(files.map((f) => f.path.split('/')[0]))];
  return tops.length === 1 ? tops[0] : `${tops.length} files`;
}

/** A datasets store over the given worker and storage (tests pass fakes); {@link useDatasetsStore} is the app's. */
export function createDatasetsStore(deps: DatasetsDeps = defaultDeps): UseBoundStore<StoreApi<DatasetsState>> {
  let worker: Worker | null = null;
  /** The import waiting for its answer. */
  let pending: ((m: FromImportWorker) => void) | null = null;

  const store = create<DatasetsState>()((set, get) => {
    function onMessage(data: unknown) {
      const parsed = fromImportWorkerSchema.safeParse(data);
      if (!parsed.success) {
        pending?.({ type: 'error', message: `The import worker sent a message that cannot be read (${parsed.error.issues[0]?.message ?? 'invalid'}).` });
        return;
      }
      const m = parsed.data as FromImportWorker;
      if (m.type === 'progress') {
        set((s) => (s.importing ? { importing: { ...s.importing, phase: m.phase, done: m.done, total: m.total } } : {}));
      } else if (m.type === 'examples') {
        set((s) => ({ examples: { ...s.examples, [m.examples.id]: m.examples } }));
      } else if (m.type === 'error' && m.id) {
        const id = m.id;
        set((s) => ({ examples: { ...s.examples, [id]: { error: m.message } } }));
      } else pending?.(m);
    }

    function ensure(): Worker {
      if (worker) return worker;
      const w = deps.createWorker();
      w.onmessage = (e: MessageEvent<unknown>) => onMessage(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        worker?.terminate();
        worker = null;
        pending?.({ type: 'error', message: `The import worker failed: ${e.message || 'unknown error'}. Nothing was stored.` });
      };
      worker = w;
      return w;
    }
    const send = (m: ToImportWorker) => ensure().postMessage(m);

    async function refreshEstimate() {
      const estimate = await deps.estimate().catch(() => null);
      set({ estimate });
    }

    return {
      datasets: null,
      skipped: [],
      importing: null,
      error: null,
      previewId: null,
      examples: {},
      estimate: null,
      choice: defaultImportChoice,

      setChoice(patch) {
        set((s) => ({ choice: { ...s.choice, ...patch } }));
      },

      async load() {
        try {
          const { datasets, skipped } = await deps.list();
          set({ datasets, skipped });
        } catch (e) {
          set({ datasets: [], skipped: [`The stored datasets could not be read: ${describe(e)}.`] });
        }
        await refreshEstimate();
      },

      async import(files, options, name) {
        if (get().importing) return null;
        set({ importing: { source: describeSource(files), phase: 'reading', done: 0, total: files.length }, error: null });
        const answer = await new Promise<FromImportWorker>((resolve) => {
          pending = resolve;
          send({ type: 'import', files, options, ...(name ? { name } : {}) });
        });
        pending = null;
        if (answer.type === 'imported') {
          const meta = answer.meta;
          set((s) => ({
            importing: null,
            datasets: [meta, ...(s.datasets ?? []).filter((d) => d.id !== meta.id)],
            examples: { ...s.examples, [meta.id]: answer.examples },
            previewId: meta.id,
          }));
          await refreshEstimate();
          return meta;
        }
        set({ importing: null, error: answer.type === 'error' ? { message: answer.message, file: answer.file } : { message: 'The import ended without an answer.' } });
        return null;
      },

      async remove(id) {
        try {
          await deps.remove(id);
        } catch (e) {
          set({ error: { message: `Could not delete the dataset: ${describe(e)}` } });
          return;
        }
        set((s) => {
          const { [id]: _gone, ...examples } = s.examples;
          return { datasets: (s.datasets ?? []).filter((d) => d.id !== id), examples, previewId: s.previewId === id ? null : s.previewId };
        });
        await refreshEstimate();
      },

      preview(id) {
        set({ previewId: id });
        if (id && !get().examples[id]) send({ type: 'examples', id });
      },
    };
  });
  return store;
}

/** The app's datasets (the list is read when the Data or Train panel first needs it). */
export const useDatasetsStore = createDatasetsStore();

/** Reads the stored list once per page (later calls do nothing while it is loaded). */
export function ensureDatasetsLoaded(): void {
  const s = useDatasetsStore.getState();
  if (s.datasets === null) void s.load();
}
