/**
 * `NullTracker`: tracking switched off (`--no-track`). Runs accept every call, validate nothing and
 * store nothing, so training code never branches on whether tracking is on.
 */
import { TrackingError } from '../errors.js';
import { Run, Tracker } from './base.js';
import type { EndStatus, LogBatch, MetricPoint, RunRecord, StartRunOptions, TrackerConfig } from './base.js';

/**
 * A run that drops everything logged to it.
 * @example await new NullRun().logMetric('loss', 0.1) // no-op
 */
export class NullRun extends Run {
  readonly runId = 'null';
  readonly artifactUri = '';

  override async logBatch(_batch: Partial<LogBatch>): Promise<void> {}
  protected async writeBatch(_batch: LogBatch): Promise<void> {}
  override async logArtifact(_localPath: string, _artifactPath?: string): Promise<void> {}
  protected async putArtifactFile(_localFile: string, _dest: string): Promise<void> {}
  protected async putArtifactBytes(_data: Uint8Array, _dest: string): Promise<void> {}
  async end(_status?: EndStatus): Promise<void> {}
}

/**
 * Tracking off: `startRun` returns a {@link NullRun}; there are no runs to read back.
 * @example
 * const run = await new NullTracker().startRun({ experimentName: 'x' });
 * run.runId // → 'null'
 */
export class NullTracker extends Tracker {
  static readonly kind = 'null';

  static fromConfig(_config: TrackerConfig): NullTracker {
    return new NullTracker();
  }

  getConfig(): TrackerConfig {
    return { type: NullTracker.kind };
  }

  async startRun(_options?: StartRunOptions): Promise<NullRun> {
    return new NullRun();
  }

  async getRun(runId: string): Promise<RunRecord> {
    throw new TrackingError(`tracking is off (NullTracker): run '${runId}' was not recorded`);
  }

  async getMetricHistory(_runId: string, _key: string): Promise<MetricPoint[]> {
    return [];
  }

  async listRuns(_experimentName: string): Promise<RunRecord[]> {
    return [];
  }
}
