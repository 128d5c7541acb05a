/** Checkpoint I/O over host memory: safetensors, torch.save zip files, key normalisation, shape checks. */
export {
  hostTensor,
  numel,
  formatShape,
  type HostTensor,
  type HostDType,
  type HostDataByDType,
} from './host-tensor.js';
export {
  f16ToF32,
  f32ToF16,
  bf16ToF32,
  f32ToBf16,
  f16BitsToFloat,
  floatToF16Bits,
  bf16BitsToFloat,
  floatToBf16Bits,
} from './half.js';
export { DISK_DTYPES, ITEMSIZE, type DiskDType, type FloatDiskDType } from './disk-dtype.js';
export {
  readSafetensors,
  parseSafetensors,
  writeSafetensors,
  encodeSafetensors,
  type Safetensors,
  type WriteSafetensorsOptions,
} from './safetensors.js';
export { readPytorchBin } from './pytorch-bin.js';
export {
  unpickle,
  PyDict,
  PyTuple,
  PyGlobal,
  PyExtension,
  type PyValue,
  type PyKey,
  type GlobalHandler,
  type UnpickleOptions,
} from './pickle.js';
export { canonicalKey, bertForMaskedLMKey, renameKeys } from './keys.js';
export {
  loadStateDict,
  saveStateDict,
  findWeightFile,
  WEIGHT_FILES,
  type WeightFile,
  type SaveStateDictOptions,
} from './state-dict.js';
export { matchStateDict, type MatchStateDictOptions, type MatchStateDictReport } from './match.js';
export { writeDirAtomic, writeFileAtomic, tempPathFor } from './atomic.js';
