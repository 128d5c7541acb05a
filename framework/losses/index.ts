export { RDropLoss } from './rdrop.js';
export { softmaxCrossEntropy } from '../ops/cross-entropy.js';
