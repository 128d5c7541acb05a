/**
 * The system tags MLflow's context providers attach to every run (`mlflow.user`, `mlflow.source.*`,
 * `mlflow.runName`), computed for a Node process.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * MLflow's reserved tag keys that fewprompt sets.
 * @example record.tags[SYSTEM_TAGS.runName] // → 'seed-1'
 */
export const SYSTEM_TAGS = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  gitCommit: 'mlflow.source.git.commit',
} as const;

/**
 * The OS user name, as MLflow's `_get_user()`; `'unknown'` when the OS has none.
 * @example currentUser() // → 'root'
 */
export function currentUser(): string {
  try {
    return process.env.USER ?? process.env.LOGNAME ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The checked-out commit of the git repository containing `from`, read from `.git` without spawning git. */
function gitCommit(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const gitDir = join(dir, '.git');
    if (existsSync(join(gitDir, 'HEAD'))) {
      try {
        const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
        if (!head.startsWith('ref: ')) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
        const ref = head.slice(5);
        if (existsSync(join(gitDir, ref))) return readFileSync(join(gitDir, ref), 'utf8').trim();
        const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
        return packed
          .split('\n')
          .find((line) => line.endsWith(` ${ref}`))
          ?.split(' ')[0];
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * A short random run name in MLflow's `<adjective>-<noun>-<number>` style.
 * @example randomRunName() // → 'quiet-lark-417'
 */
export function randomRunName(): string {
  const adjectives = ['bright', 'calm', 'eager', 'gentle', 'keen', 'quiet', 'swift', 'bold', 'merry', 'wise'];
  const nouns = ['lark', 'panda', 'crane', 'lotus', 'tiger', 'koi', 'bamboo', 'heron', 'plum', 'yak'];
  const [a = 0, n = 0, k = 0, j = 0] = randomBytes(4);
  return `${adjectives[a % adjectives.length]}-${nouns[n % nouns.length]}-${(k * 256 + j) % 1000}`;
}

/**
 * Run tags MLflow would set for this process, merged under `tags` (caller's tags win) with `mlflow.runName`.
 * @example defaultRunTags('seed-1', { task: 'eprstmt' })
 * // → { 'mlflow.user': 'root', 'mlflow.source.name': '/…/cli.ts', 'mlflow.source.type': 'LOCAL',
 * //     'mlflow.source.git.commit': '417daf7…', task: 'eprstmt', 'mlflow.runName': 'seed-1' }
 */
export function defaultRunTags(runName: string, tags: Record<string, string> = {}): Record<string, string> {
  const commit = gitCommit(process.cwd());
  return {
    [SYSTEM_TAGS.user]: currentUser(),
    [SYSTEM_TAGS.sourceName]: process.argv[1] ?? 'node',
    [SYSTEM_TAGS.sourceType]: 'LOCAL',
    ...(commit ? { [SYSTEM_TAGS.gitCommit]: commit } : {}),
    ...tags,
    [SYSTEM_TAGS.runName]: runName,
  };
}
