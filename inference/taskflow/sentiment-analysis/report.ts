/**
 * `OUT/report.md`: a sentiment run in tables — the mix per source, the scores of every evaluation set at the chosen
 * decision bias and at bias 0, the current bundle's scores and the ship verdict. The model card copies from it.
 */
import { SCORES_HEADER, scoresRow, type ClassScores } from './evaluate.js';
import type { SourceCounts } from './mix.js';
import type { ShipVerdict } from './score.js';
import type { SentimentTrainOptions } from './train-options.js';

/** What a report shows. */
export interface ReportInput {
  readonly options: SentimentTrainOptions;
  readonly train?: { readonly steps: number; readonly bestStep: number; readonly seconds: number } | undefined;
  readonly counts: Readonly<Record<string, SourceCounts>>;
  readonly bias: number;
  readonly chosenOn: string;
  readonly scores: Readonly<Record<string, ClassScores>>;
  readonly atBiasZero: Readonly<Record<string, ClassScores>>;
  readonly current?: Readonly<Record<string, ClassScores>> | undefined;
  readonly verdict?: ShipVerdict | undefined;
}

const table = (scores: Readonly<Record<string, ClassScores>>): string =>
  [SCORES_HEADER, ...Object.entries(scores).map(([name, s]) => scoresRow(name, s))].join('\n');

/**
 * The report as markdown.
 * @example renderReport(input).split('\n')[0]; // → '# sentiment_analysis run: runs/sentiment'
 */
export function renderReport(r: ReportInput): string {
  const o = r.options;
  const mixRows = Object.entries(r.counts).map(
    ([name, c]) =>
      `| ${name} | ${c.read} | ${c.tooShort} | ${c.conflicting} | ${c.duplicate} | ${c.contaminated} | ` +
      `${c.heldOut[0]} / ${c.heldOut[1]} | ${c.balancedAway} | ${c.used[0]} / ${c.used[1]} |`,
  );
  const train = r.train
    ? `${r.train.steps} steps × ${o.batchSize} (kept: step ${r.train.bestStep}), ${r.train.seconds} s of training`
    : 'not trained by this call (--export-only)';
  const lines = [
    `# sentiment_analysis run: ${o.out}`,
    '',
    `Encoder ${o.model}; ${o.method}, lr ${o.lr}, batch ${o.batchSize}, max length ${o.maxSeqLen}, seed ${o.seed}; ` +
      `${train}. Bundle: ${o.precision}, word embeddings ${o.wordEmbeddings}.`,
    '',
    '## Mix (negative / positive)',
    '',
    '| source | read | too short | conflicting labels | duplicate | contaminated | held out | balanced away | ' +
      'trained on |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...mixRows,
    '',
    `## Scores at the decision bias ${r.bias.toFixed(4)} (${r.chosenOn})`,
    '',
    table(r.scores),
    '',
    '## Scores at bias 0 (the higher probability)',
    '',
    table(r.atBiasZero),
  ];
  if (r.current) lines.push('', `## The current bundle (${o.ship}), at its own bias`, '', table(r.current));
  if (r.verdict) lines.push('', `**${r.verdict.ship ? 'Shipped' : 'Not shipped'}:** ${r.verdict.reason}.`);
  return `${lines.join('\n')}\n`;
}
