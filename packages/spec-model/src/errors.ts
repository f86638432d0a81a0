// The one error the spec model throws: the spec (file or document) cannot be used, and why.

export class SpecModelError extends Error {
  override name = "SpecModelError";
  /** The spec file, or "(document)" for a document passed in. */
  readonly path: string;
  /** What is wrong, e.g. "operation reportX: x-gong-event.duplicateKey must be a non-empty array of field names". */
  readonly problem: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, options);
    this.path = path;
    this.problem = problem;
  }
}
