/**
 * FewCLUE's nine tasks. Adding a task is one file plus one entry in {@link FEWCLUE_TASKS}.
 *
 * @example
 * FEWCLUE_TASKS.map((t) => t.kind);
 * // => ['eprstmt', 'csldcp', 'tnews', 'iflytek', 'ocnli', 'bustm', 'chid', 'csl', 'cluewsc']
 */
import { BustmTask } from './bustm.js';
import { ChidTask } from './chid.js';
import { CluewscTask } from './cluewsc.js';
import { CslTask } from './csl.js';
import { CsldcpTask } from './csldcp.js';
import { EprstmtTask } from './eprstmt.js';
import { IflytekTask } from './iflytek.js';
import { OcnliTask } from './ocnli.js';
import { TnewsTask } from './tnews.js';

export { BustmTask, ChidTask, CluewscTask, CslTask, CsldcpTask, EprstmtTask, IflytekTask, OcnliTask, TnewsTask };
export {
  FewClueTask,
  FEWCLUE_DIR_ENV,
  fewClueFileName,
  type FewClueTaskOptions,
  type FewClueTaskConfig,
} from './fewclue-task.js';
export { markSpans, type WscSpans } from './cluewsc.js';
export { fillBlank, IDIOM_BLANK, CHID_CANDIDATES } from './chid.js';
export { CSL_KEYWORD_SEPARATOR } from './csl.js';
export { IFLYTEK_LABELS } from './iflytek.js';
export { CSLDCP_LABELS } from './csldcp.js';
export { TNEWS_LABELS } from './tnews.js';

/** The registry, in FewCLUE's task order. */
export const FEWCLUE_TASKS = [
  EprstmtTask,
  CsldcpTask,
  TnewsTask,
  IflytekTask,
  OcnliTask,
  BustmTask,
  ChidTask,
  CslTask,
  CluewscTask,
] as const;

/** A FewCLUE task key: `'eprstmt' | 'csldcp' | …`. */
export type FewClueKind = (typeof FEWCLUE_TASKS)[number]['kind'];
