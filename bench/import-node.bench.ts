/**
 * Times importDataset on a generated zip of 50,000 32×32 RGB PNGs in 10 class folders, with fast-png decoding and with
 * a stub decoder (the pipeline alone): npx tsx bench/import-node.bench.ts [count] [stub] (the browser import, Data panel to listed: bench/import.bench.ts).
 */
import { zipSync, type Zippable } from 'fflate';
import { importDataset } from '../src/data/import';
import { decodePng, files, opts, png } from '../src/data/testing/fixtures';
import type { DecodedImage, ImageDecoder } from '../src/data/types';

const n = Number(process.argv[2] ?? 50_000);
const withDecode = process.argv[3] !== 'stub';
let t = performance.now();
const tree: Zippable = {};
const distinct = Array.from({ length: 100 }, (_, k) => png(32, 32, 3, (x, y, c) => (x * 7 + y * 13 + c * 50 + k * 31 + ((x * y * k) % 17)) & 255));
for (let i = 0; i < n; i++) tree[`cifar-png/class${i % 10}/${i}.png`] = distinct[i % 100];
const zip = zipSync(tree);
console.log(`generated ${n} PNGs, zip ${(zip.length / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s`);

let decodeMs = 0;
const timed: ImageDecoder = async (b, p) => {
  const s = performance.now();
  const r = await decodePng(b, p);
  decodeMs += performance.now() - s;
  return r;
};
const cpu = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return ((u.user + u.system) / 1e6).toFixed(2);
};
let c0 = process.cpuUsage();
if (withDecode) {
  t = performance.now();
  const ds = await importDataset(files({ 'cifar-png.zip': zip }), opts(), { decodeImage: timed });
  const total = performance.now() - t;
  console.log(`import with fast-png decode: ${(total / 1000).toFixed(2)} s total (${cpu(c0)} s CPU), of which decode ${(decodeMs / 1000).toFixed(2)} s; pipeline ${((total - decodeMs) / 1000).toFixed(2)} s (${ds.train.n}+${ds.test.n} samples)`);
}

const fixed: DecodedImage = await decodePng(distinct[0], '');
for (let run = 0; run < 2; run++) {
  c0 = process.cpuUsage();
  t = performance.now();
  await importDataset(files({ 'cifar-png.zip': zip }), opts(), { decodeImage: async () => fixed });
  console.log(`import with a stub decoder (unzip, headers, convert, split, stats): ${((performance.now() - t) / 1000).toFixed(2)} s (${cpu(c0)} s CPU)`);
}
