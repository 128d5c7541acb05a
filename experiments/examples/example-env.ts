/**
 * Knobs the examples read so CI can run them in seconds on a tiny model; a user running an example
 * leaves them unset and gets the real thing.
 *   FEWPROMPT_MODEL              model directory (default: the shipped model)
 *   FEWPROMPT_EXAMPLE_MAX_STEPS  cap on optimiser steps
 *   FEWPROMPT_EXAMPLE_TEST_LIMIT cap on test examples scored
 */
export const exampleModel: string | undefined = process.env.FEWPROMPT_MODEL;
export const maxSteps: number | undefined = process.env.FEWPROMPT_EXAMPLE_MAX_STEPS
  ? Number(process.env.FEWPROMPT_EXAMPLE_MAX_STEPS)
  : undefined;
export const testLimit: number | undefined = process.env.FEWPROMPT_EXAMPLE_TEST_LIMIT
  ? Number(process.env.FEWPROMPT_EXAMPLE_TEST_LIMIT)
  : undefined;
