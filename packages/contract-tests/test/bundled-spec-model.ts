// The bundled spec's model for the tests, loaded on first use and then shared by every test file the same worker
// runs (vitest.config.ts: isolate: false): loading compiles every operation's validators, the same ones each time.
import { loadSpecModel, type SpecModel } from "@gong-engage/spec-model";

let model: SpecModel | undefined;

export function bundledSpecModel(): SpecModel {
  model ??= loadSpecModel();
  return model;
}
