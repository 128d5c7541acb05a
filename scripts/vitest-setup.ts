// Runs before every test file (vitest.config.ts `setupFiles`): test-only checks the library itself never turns on.
import { enableStrictTidy } from '../framework/backend/testing/strict-tidy.js';

// A tf.tidy returning many host numbers throws (framework/backend/testing/strict-tidy.ts).
enableStrictTidy();
