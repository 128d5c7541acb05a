/**
 * The `dependency_parsing` training recipe under its old name: the same flags as
 * `fewprompt taskflow-train dependency_parsing` (inference/taskflow/dependency-parsing/train.ts), which it runs.
 *
 *   npx tsx scripts/train-dep-parser.ts --out runs/dep-parsing --bundle DIR
 */
import { main } from '../experiments/cli/main.js';

process.exitCode = await main(['taskflow-train', 'dependency_parsing', ...process.argv.slice(2)]);
