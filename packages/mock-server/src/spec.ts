// The spec the mock serves: the shared spec model (@gong-engage/spec-model: operations, validators, Gong's
// x-gong-* rules) plus Prism's reading of the same file, which Prism needs for routing and responses.
import { bundledSpecPath, loadSpecModel, type SpecModel, SpecModelError } from "@gong-engage/spec-model";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import type { IHttpOperation } from "@stoplight/types";
import { MockConfigError } from "./config-error.js";

export type { SpecOperation } from "@gong-engage/spec-model";
export { bundledSpecPath };

export interface LoadedSpec extends SpecModel {
  path: string;
  prismOperations: IHttpOperation[];
}

/** Loads a bundled JSON spec (default: the bundle @gong-engage/spec-model ships). A spec it cannot serve is a MockConfigError. */
export async function loadSpec(specPath: string = bundledSpecPath()): Promise<LoadedSpec> {
  let model: SpecModel;
  try {
    model = loadSpecModel(specPath);
  } catch (error) {
    if (error instanceof SpecModelError) throw new MockConfigError(`spec ${error.message}`, { cause: error });
    throw error;
  }
  const prismOperations = await getHttpOperationsFromSpec(specPath);
  return { ...model, path: specPath, prismOperations };
}
