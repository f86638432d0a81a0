// The spec the mock serves: the shared spec model (@gong-engage/spec-model: operations, validators, Gong's
// x-gong-* rules) plus Prism's reading of the same file, which Prism needs for routing and responses.
import { bundledSpecModel, bundledSpecPath, loadSpecModel, type SpecModel, SpecModelError } from "@gong-engage/spec-model";
import type { IHttpOperation } from "@stoplight/types";
import { MockConfigError } from "./config-error.js";
import { loadPrism } from "./prism-loader.js";

export type { SpecOperation } from "@gong-engage/spec-model";
export { bundledSpecPath };

export interface LoadedSpec extends SpecModel {
  path: string;
  prismOperations: IHttpOperation[];
}

/** Loads a bundled JSON spec (default: the bundle @gong-engage/spec-model ships). A spec it cannot serve is a MockConfigError. */
export async function loadSpec(specPath: string = bundledSpecPath()): Promise<LoadedSpec> {
  return withPrismOperations(loadServedModel(specPath));
}

/**
 * The spec model of a spec to serve, without Prism: a spec the mock cannot serve is refused before Prism is read.
 * The bundled spec (the default) is the process's shared model: mocks started in one process (the tests start
 * dozens) compile its validators once.
 */
export function loadServedModel(specPath: string = bundledSpecPath()): SpecModel & { path: string } {
  try {
    return { ...(specPath === bundledSpecPath() ? bundledSpecModel() : loadSpecModel(specPath)), path: specPath };
  } catch (error) {
    if (error instanceof SpecModelError) throw new MockConfigError(`spec ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * The served spec with Prism's reading of the same file, less the request bodies' schemas: the spec model judges
 * the body (gong-stages.ts: validateBody) and Prism's findings about it are dropped (violations.ts), so Prism
 * validating it too was work thrown away (a tenth of a busy mock's CPU). Prism still checks what it is kept for:
 * a body is there when required, its Content-Type, the headers, query and path.
 */
export async function withPrismOperations(model: SpecModel & { path: string }): Promise<LoadedSpec> {
  const prismOperations = await loadPrism().getHttpOperationsFromSpec(model.path);
  for (const operation of prismOperations) {
    for (const content of operation.request?.body?.contents ?? []) delete content.schema;
  }
  return { ...model, prismOperations };
}
