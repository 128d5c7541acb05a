/**
 * Child process for the file-store concurrency test:
 * `node --import tsx concurrent-writer.ts <root> <tag> <runs> <steps>` starts `runs` runs spread over experiments
 * `race-0…race-2` of the store at `<root>`, each logging `steps` metric values and a few params, and prints the run ids
 * as JSON.
 */
import { FileStoreTracker } from '../file-store.js';

const [root = 'mlruns', tag = 'w', runs = '3', steps = '100'] = process.argv.slice(2);
const tracker = new FileStoreTracker(root);
const ids: string[] = [];
await Promise.all(
  Array.from({ length: Number(runs) }, async (_, r) => {
    const run = await tracker.startRun({ experimentName: `race-${r % 3}`, runName: `${tag}-${r}` });
    await run.logParams({ writer: tag, index: r });
    for (let step = 0; step < Number(steps); step++) {
      await run.logMetrics({ loss: 1 / (step + 1), 'dev/acc': step / Number(steps) }, step);
    }
    await run.end('FINISHED');
    ids.push(run.runId);
  }),
);
process.stdout.write(JSON.stringify(ids));
