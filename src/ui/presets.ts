import { presetDocument } from '../../presets/index';

export { presetDocument, presetList, type PresetInfo } from '../../presets/index';

/** What the app opens a preset as: the document with its blocks, collapsed on the canvas. */
export const getPreset = presetDocument;
