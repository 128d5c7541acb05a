// A vitest reporter beside the human-readable one: after the run it lists every skipped test with its reason
// and, when FEWPROMPT_TEST_SUMMARY names a file, writes the counts there as JSON for scripts/run-tests.mjs,
// which ends `npm test` with the line `N passed, N failed, N skipped`.
import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/** What scripts/run-tests.mjs reads back. */
export interface TestSummary {
  passed: number;
  /** Failed tests, plus suites or files that failed outside a test (imports, hooks), plus unhandled errors. */
  failed: number;
  skipped: number;
  reason: string;
}

export default class TestSummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: string,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    const skips: string[] = [];
    for (const module of modules) {
      for (const suite of [module, ...module.children.allSuites()]) if (suite.errors().length > 0) failed++;
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else if (result.state === 'skipped') {
          const why =
            result.note ?? (test.options.mode === 'run' ? 'not run: a hook of its suite failed' : test.options.mode);
          skips.push(`  ${module.relativeModuleId} > ${test.fullName}: ${why}`);
        }
      }
    }
    if (skips.length > 0) console.log(`\nSkipped (${skips.length}):\n${skips.join('\n')}`);
    const out = process.env['FEWPROMPT_TEST_SUMMARY'];
    if (out) {
      const summary: TestSummary = { passed, failed, skipped: skips.length, reason };
      writeFileSync(out, JSON.stringify(summary));
    }
  }
}
