/**
 * Datasets the user brings: what an import produces, what is stored in the browser, and what training reads.
 * No React, no DOM: parsers run in the import worker and in Node tests alike; image decoding is passed in.
 */

/** Formats Convas imports. */
export type DatasetFormat = 'image-folder' | 'zip' | 'cifar-10' | 'cifar-100' | 'npy' | 'npz' | 'csv';

/** One file handed to an importer: its path relative to what the user picked or dropped (`cats/1.png`), its size, and its bytes on demand. */
export interface InputFile {
  path: string;
  size: number;
  bytes(): Promise<Uint8Array>;
  /** Optional: at least the first `n` bytes (fewer if the file is shorter), for sniffing headers without reading the whole file (`File.slice`). */
  head?(n: number): Promise<Uint8Array>;
}

/** Decoded pixels, RGBA row-major, as ImageData holds them. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/**
 * Decodes one image file (PNG, JPEG, WebP, BMP, GIF first frame). The browser passes createImageBitmap + OffscreenCanvas
 * (src/data/decode-browser.ts); Node tests pass a PNG decoder. Throws for bytes that are not an image it can read.
 */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<DecodedImage>;

/** Samples of one split, channels-last: `n` samples of prod(inputShape) values each, and their class indices. */
export interface SampleSplit {
  /** uint8: image bytes 0–255, scaled to [0, 1] when a batch is built; float32: values as imported. */
  x: Uint8Array | Float32Array;
  y: Uint8Array;
  n: number;
}

/** What the user chooses before (or after, by importing again) an import. */
export interface ImportOptions {
  /** Images are converted to this [h, w, c] (c = 1 grayscale, 3 RGB); undefined: the most common size and the files' own channels. */
  imageShape?: [number, number, number];
  /** Fraction of the samples held out as the test split when the files carry no split of their own. */
  testFraction: number;
  /** Seeds that split. */
  seed: number;
  /** CSV: the label column, by header name or 0-based index; default: a column named label/class/target/y, else the first. */
  labelColumn?: string | number;
  /** CSV: whether the rest of a row is an image (needs a square count, or `imageShape`) or a series [length, 1]. Default: series. */
  csvLayout?: 'series' | 'image';
  /** Standardise each channel with the training split's mean and standard deviation when batches are built. */
  standardize: boolean;
}

export const defaultImportOptions: ImportOptions = { testFraction: 0.2, seed: 1, standardize: false };

/** Hard limits, checked before memory is spent: a set over them is refused with the figure and the limit. */
export const IMPORT_LIMITS = {
  /** Samples in one dataset. */
  maxSamples: 200_000,
  /** Bytes of the converted samples (what is kept in memory and stored). */
  maxSampleBytes: 1024 * 2 ** 20,
  /** Bytes of the files as they arrive, after decompression (a zip bomb stops here). */
  maxInputBytes: 2048 * 2 ** 20,
  /** Decompressed/compressed ratio above which a zip entry is refused as a bomb. */
  maxCompressionRatio: 1000,
  /** Classes (labels are stored as one byte). */
  maxClasses: 256,
};

/** The limits an import checks (tests pass lower ones). */
export type ImportLimits = { -readonly [K in keyof typeof IMPORT_LIMITS]: number };

/** What `importDataset` is given besides the files and options. */
export interface ImportDeps {
  decodeImage: ImageDecoder;
  onProgress?: ImportProgress;
  /** The dataset's name; default: the single top-level file or folder picked, without its extension. */
  name?: string;
  /** Overrides of IMPORT_LIMITS (tests use small ones). */
  limits?: Partial<ImportLimits>;
}

/** The description of an imported dataset: everything the Data panel lists and training needs, without the samples. */
export interface DatasetMeta {
  /** Storage schema version of the record. */
  version: 1;
  /** `user-…`, unique in this browser. */
  id: string;
  name: string;
  format: DatasetFormat;
  /** The files or folder the user picked (top-level names). */
  sources: string[];
  /** `image` (h×w×c pixels, shown as a grid), `series` ([length, c], shown as plots) or `array` (any other shape). */
  kind: 'image' | 'series' | 'array';
  /** One sample's shape, channels-last, no batch axis: what the Input node must be. */
  inputShape: number[];
  dtype: 'uint8' | 'float32';
  classNames: string[];
  train: { n: number; perClass: number[] };
  test: { n: number; perClass: number[] };
  /** Where the split came from: the files' own (`train/` + `test/` folders, CIFAR's test_batch) or a seeded draw. */
  split: { from: 'files' } | { from: 'seeded'; testFraction: number; seed: number };
  /** Per-channel mean and standard deviation of the training split, on the values training sees (uint8 scaled to [0, 1]). */
  stats: { mean: number[]; std: number[] };
  standardize: boolean;
  /** Images: how they were converted ("bilinear resize from 3 sizes to 32×32; RGB → grayscale"). */
  conversion?: string;
  /** What the import skipped or changed that the user should know, one sentence each, naming files. */
  notes: string[];
  /** Bytes of the stored samples. */
  bytes: number;
  createdAt: number;
}

/** An imported dataset in memory. */
export interface ImportedDataset {
  meta: DatasetMeta;
  train: SampleSplit;
  test: SampleSplit;
}

/** A refusal that names the file (when one is at fault) and says what is wrong. */
export class DatasetImportError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'DatasetImportError';
  }
}

/** Reports progress: `done` of `total` units of `phase` ("reading", "decoding", "converting", "storing"). */
export type ImportProgress = (p: { phase: string; done: number; total: number }) => void;

/** Training settings for on-the-fly augmentation of image sets (training split only). All off by default. */
export interface Augmentation {
  /** Random horizontal flip with probability 0.5. */
  flip: boolean;
  /** Random shift of up to this many pixels in each direction, zero-padded (a random crop of the padded image). 0 = off. */
  shift: number;
  /** Random rotation of up to ± this many degrees (bilinear, zero fill). 0 = off. */
  rotate: number;
}

export const noAugmentation: Augmentation = { flip: false, shift: 0, rotate: 0 };
