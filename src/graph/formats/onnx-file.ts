import { IMPORT_LIMITS } from '../import';

/*
 * What the editor needs to know about ONNX files before it loads the importer (and its protobuf reader) on demand.
 */

/** What an `.onnx` file may hold before anything is built from it. */
export const ONNX_LIMITS = {
  /** Bytes of the file: weights included, so far above the JSON limit (ResNet-50 is about 100 MB, VGG16 528 MB). */
  maxBytes: 1024 * 1024 * 1024,
  /** ONNX nodes in the main graph. */
  maxNodes: IMPORT_LIMITS.maxNodes,
} as const;

/** Whether a file name looks like an ONNX model (`.onnx`). */
export const isOnnxFileName = (name: string): boolean => /\.onnx$/i.test(name);
