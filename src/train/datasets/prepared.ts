import { product } from '../../../nodes/lib/define';
import type { Dataset, DatasetId, DatasetSplit, FileReader, LoadOptions } from './types';

interface Meta {
  id: string;
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  train: { n: number };
  test: { n: number };
}

/** Default reader: fetches `<baseUrl>datasets/<id>/<name>` and names the file when it is missing. */
export function fetchReader(baseUrl = '/'): FileReader {
  return async (id, name) => {
    const url = `${baseUrl.endsWith('/') ? baseUrl : baseUrl + '/'}datasets/${id}/${name}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`dataset ${id}: cannot load ${url} (HTTP ${res.status}); run \`node scripts/prepare.mjs\``);
    return new Uint8Array(await res.arrayBuffer());
  };
}

function parseMeta(id: DatasetId, bytes: Uint8Array): Meta {
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`dataset ${id}: meta.json is not JSON (${(e as Error).message}); delete public/datasets/${id} and run \`node scripts/prepare.mjs\``);
  }
  const m = meta as Partial<Meta>;
  if (m?.id !== id || !Array.isArray(m.inputShape) || typeof m.numClasses !== 'number' || !m.train || !m.test || !Array.isArray(m.classNames)) {
    throw new Error(`dataset ${id}: meta.json lacks id/inputShape/numClasses/classNames/train/test`);
  }
  return m as Meta;
}

async function readSplit(id: DatasetId, read: FileReader, split: 'train' | 'test', total: number, size: number, limit?: number): Promise<DatasetSplit> {
  const [images, labels] = await Promise.all([read(id, `${split}-images.u8`), read(id, `${split}-labels.u8`)]);
  if (images.length !== total * size || labels.length !== total) {
    throw new Error(`dataset ${id} ${split}: expected ${total} samples of ${size} bytes, got ${images.length} image bytes and ${labels.length} labels`);
  }
  const n = limit === undefined ? total : Math.max(0, Math.min(total, Math.floor(limit)));
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = images[i] / 255;
  return { x, y: labels.slice(0, n), n };
}

/** Loads a dataset prepared by scripts/prepare.mjs (MNIST, Fashion-MNIST); pixels scaled to [0, 1]. */
export async function loadPrepared(id: DatasetId, opts: LoadOptions = {}): Promise<Dataset> {
  const read = opts.readFile ?? fetchReader(opts.baseUrl);
  const meta = parseMeta(id, await read(id, 'meta.json'));
  const size = product(meta.inputShape);
  const [train, test] = await Promise.all([
    readSplit(id, read, 'train', meta.train.n, size, opts.trainLimit),
    readSplit(id, read, 'test', meta.test.n, size, opts.testLimit),
  ]);
  return { id, inputShape: meta.inputShape, numClasses: meta.numClasses, classNames: meta.classNames, train, test };
}
