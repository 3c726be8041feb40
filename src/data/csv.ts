import Papa from 'papaparse';
import { finishDataset, planSplit, SplitWriter } from './assemble';
import { DatasetImportError, type ImportedDataset } from './types';
import { byCodepoint, checkLimits, count, type ImportContext } from './util';

const LABEL_NAMES = ['label', 'class', 'target', 'y'];

const isNumber = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

/**
 * CSV, one sample a row: a label column (opts.labelColumn by name or index; default a column named
 * label/class/target/y, else the first) and numeric values, an image (`csvLayout: 'image'`, square or
 * `imageShape`) or a series [length, 1]. A header row is recognised when it has more non-numeric cells than the
 * next row. Labels are integers (class k) or names (sorted).
 */
export async function importCsv(ctx: ImportContext): Promise<ImportedDataset> {
  const { opts, limits } = ctx;
  const file = ctx.files.find(f => /\.(csv|tsv)$/i.test(f.path))!;
  const text = new TextDecoder().decode(await file.bytes()).replace(/^\ufeff/, '');
  const fail = (m: string) => new DatasetImportError(m, file.path);
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;

  let first: string[] | null = null;
  let header: string[] | null = null;
  let cols = 0;
  let labelCol = 0;
  let row = 0;
  let n = 0;
  let values = new Float32Array(0);
  let size = 0;
  let bytes = true;
  const labels: string[] = [];
  let error: DatasetImportError | null = null;

  const start = (h: string[] | null, width: number) => {
    header = h;
    cols = width;
    if (cols < 2) throw fail('needs a label column and at least one value column');
    const lc = opts.labelColumn;
    if (typeof lc === 'number') {
      if (!Number.isInteger(lc) || lc < 0 || lc >= cols) throw fail(`label column ${lc} is out of range (the rows have ${cols} columns, 0–${cols - 1})`);
      labelCol = lc;
    } else if (typeof lc === 'string') {
      labelCol = h ? h.findIndex(c => c.trim() === lc) : -1;
      if (labelCol < 0)
        throw fail(h ? `has no column named '${lc}' (columns: ${h.slice(0, 8).join(', ')}${cols > 8 ? ', …' : ''})` : `has no header row, so no column named '${lc}': give the label column's index`);
    } else {
      labelCol = h ? Math.max(0, h.findIndex(c => LABEL_NAMES.includes(c.trim().toLowerCase()))) : 0;
    }
    size = cols - 1;
    checkLimits(limits, lines, size * 4, 0, file.path);
    values = new Float32Array(lines * size);
  };
  const take = (cells: string[], r: number) => {
    if (cells.length !== cols) throw fail(`row ${r} has ${count(cells.length, 'cell')}, expected ${cols}`);
    labels.push(cells[labelCol].trim());
    let o = n * size;
    for (let c = 0; c < cols; c++) {
      if (c === labelCol) continue;
      const s = cells[c];
      const v = s.trim() === '' ? NaN : Number(s);
      if (!Number.isFinite(v))
        throw fail(`row ${r}, column ${header ? `'${header[c]}' (${c + 1})` : c + 1}: '${s}' is not a number`);
      values[o++] = v;
      if (bytes && !(v >= 0 && v <= 255 && Number.isInteger(v))) bytes = false;
    }
    n++;
  };
  Papa.parse<string[]>(text, {
    skipEmptyLines: true,
    step: (result, parser) => {
      try {
        const cells = result.data;
        row++;
        if (row === 1) return void (first = cells);
        if (row === 2) {
          const f = first!;
          const named = (r: string[]) => r.some(s => LABEL_NAMES.includes(s.trim().toLowerCase()));
          const hasHeader = f.filter(s => !isNumber(s)).length > cells.filter(s => !isNumber(s)).length || (named(f) && !named(cells));
          start(hasHeader ? f : null, f.length);
          if (!hasHeader) take(f, 1);
        }
        take(cells, row);
      } catch (err) {
        error = err as DatasetImportError;
        parser.abort();
      }
    },
  });
  if (error) throw error;
  if (row < 2) throw fail('needs at least two rows of samples');

  let classNames: string[];
  const y = new Uint8Array(n);
  if (labels.every(l => /^\d+$/.test(l))) {
    const ints = labels.map(Number);
    const max = ints.reduce((a, b) => Math.max(a, b), 0);
    if (max >= limits.maxClasses) throw fail(`label ${max} (row ${ints.indexOf(max) + 1 + (header ? 1 : 0)}) is over the limit of ${limits.maxClasses} classes`);
    classNames = Array.from({ length: max + 1 }, (_, k) => `class ${k}`);
    y.set(ints);
  } else {
    classNames = [...new Set(labels)].sort(byCodepoint);
    if (classNames.length > limits.maxClasses) throw fail(`${count(classNames.length, 'class', 'classes')} is over the limit of ${limits.maxClasses}`);
    const index = new Map(classNames.map((c, k) => [c, k]));
    labels.forEach((l, i) => (y[i] = index.get(l)!));
  }

  let shape: number[] = [size, 1];
  let dtype: 'uint8' | 'float32' = 'float32';
  if (opts.csvLayout === 'image') {
    const side = Math.round(Math.sqrt(size));
    if (opts.imageShape) {
      const [h, w, c] = opts.imageShape;
      if (h * w * c !== size) throw fail(`rows hold ${size} values, but image shape ${h}×${w}×${c} needs ${h * w * c}`);
      shape = [h, w, c];
    } else if (side * side === size) shape = [side, side, 1];
    else throw fail(`rows hold ${size} values, not a square image: set the image shape`);
    if (bytes) dtype = 'uint8';
  }
  checkLimits(limits, n, size * (dtype === 'uint8' ? 1 : 4), classNames.length, file.path);
  const plan = planSplit(y, null, opts);
  const writer = new SplitWriter(plan, y, size, dtype);
  for (let i = 0; i < n; i++) writer.xOf(i).set(values.subarray(i * size, (i + 1) * size), writer.offset(i));
  return finishDataset({
    ...writer.compact(),
    split: plan.split,
    format: 'csv',
    inputShape: shape,
    classNames,
    sources: ctx.sources,
    name: ctx.name,
    opts,
    notes: [],
  });
}
