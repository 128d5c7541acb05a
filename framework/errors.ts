/**
 * Typed errors for every layer of fewprompt. Each message says what was expected, what was found,
 * and where (file, line, field or template position), so a user never has to read a tfjs stack trace.
 */

/** Base class: everything fewprompt throws on purpose is a `FewpromptError`. */
export class FewpromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration value (config.json, an experiment config, a CLI flag) is missing or has the wrong type/value. */
export class ConfigError extends FewpromptError {}

/** A checkpoint is unreadable, corrupt, or does not match the model (missing / unexpected / mis-shaped keys). */
export class CheckpointError extends FewpromptError {}

/** A compute backend (tfjs-node, ONNX Runtime's binding, wasm) is missing, failed to load, or changed shape. */
export class BackendError extends FewpromptError {}

/** Tensor shapes do not agree. */
export class ShapeError extends FewpromptError {}

/** Tokenizer files or inputs are invalid. */
export class TokenizerError extends FewpromptError {}

/** A data file has a bad line or field; the message names the file and the line. */
export class DataError extends FewpromptError {}

/** A template string does not parse or does not fit an example; carries the character offset. */
export class TemplateSyntaxError extends FewpromptError {
  constructor(
    message: string,
    readonly offset: number,
    readonly template: string,
  ) {
    super(`${message} at offset ${offset}: ${snippet(template, offset)}`);
  }
}

/** A label word or verbalizer does not fit the tokenizer or the template. */
export class VerbalizerError extends FewpromptError {}

/** A registry lookup failed; lists the valid keys. */
export class UnknownKindError extends FewpromptError {
  constructor(what: string, key: string, valid: readonly string[]) {
    super(`unknown ${what} '${key}'; valid: ${valid.join(', ')}`);
  }
}

/** A model or file could not be fetched and no local copy exists. */
export class DownloadError extends FewpromptError {}

function snippet(text: string, offset: number): string {
  const from = Math.max(0, offset - 15);
  const to = Math.min(text.length, offset + 15);
  return `…${text.slice(from, offset)}⟨here⟩${text.slice(offset, to)}…`;
}

/**
 * Experiment tracking failed: a bad metric/param/tag key, an unreadable `mlruns` store, or an MLflow
 * server error. REST failures carry the endpoint, the HTTP status and MLflow's `error_code`.
 */
export class TrackingError extends FewpromptError {
  constructor(
    message: string,
    readonly details: { endpoint?: string; status?: number; errorCode?: string } = {},
  ) {
    super(message);
  }
}

/** A pipeline / Taskflow was called with input of the wrong type (e.g. a number instead of a string). */
export class TaskInputError extends FewpromptError {}

/**
 * A suite job did not finish: its run threw, or the process running it died (`crashed`). `retryable` is
 * false for deterministic failures (a bad config or data file), which a retry would only repeat.
 */
export class JobError extends FewpromptError {
  constructor(
    message: string,
    readonly jobId: string,
    readonly options: { crashed?: boolean; retryable?: boolean } = {},
  ) {
    super(message);
  }

  get crashed(): boolean {
    return this.options.crashed ?? false;
  }

  get retryable(): boolean {
    return this.options.retryable ?? true;
  }
}

/**
 * A training run cannot be exported (unknown method, missing
 * files); the message names the run directory and what is missing.
 */
export class ExportError extends FewpromptError {}

/** An exported bundle is missing, incomplete or from an incompatible format version; names the bundle and the file. */
export class BundleError extends FewpromptError {}

/**
 * A served request was refused: `status` is the HTTP status (400 malformed, 404 unknown model, 413 too large); `path`
 * names the offending field.
 */
export class RequestError extends FewpromptError {
  constructor(
    message: string,
    readonly status: number,
    readonly path?: string,
  ) {
    super(message);
  }
}
