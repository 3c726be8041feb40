export { getPreset, presetList, type PresetInfo } from '../../presets/index';
