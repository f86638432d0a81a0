// THE Ajv configuration: the mock, the contract suite and the client's generated validators all validate with
// it, so "valid" means one thing everywhere (JSON Schema 2020-12, every error reported, formats in full mode:
// February 30 is not a date, a non-ASCII URL is not a URI).

import type { Options } from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export type Ajv = InstanceType<typeof Ajv2020.default>;

/**
 * A new Ajv instance with the one configuration. `extra` may add code-generation settings (standalone code),
 * never ones that change what is valid.
 */
export function createAjv(extra: Pick<Options, "code" | "inlineRefs" | "verbose"> = {}): Ajv {
  const ajv = new Ajv2020.default({ allErrors: true, strict: false, ...extra });
  addFormats.default(ajv, { mode: "full" });
  return ajv;
}
