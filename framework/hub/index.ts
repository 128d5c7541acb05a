/** Model resolution: local directories as-is, Hugging Face Hub ids through a download cache. */
export { resolveModel, type ResolveModelOptions } from './resolve.js';
export { downloadFile, type DownloadOptions, type DownloadProgress } from './download.js';
export { fewpromptHome, modelCacheDir, readMarker, writeMarker, COMPLETE_MARKER, type CacheMarker } from './cache.js';
