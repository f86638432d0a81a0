// @gong-engage/spec-model: the one model of the spec that every package reads (Node). The browser-safe
// helpers are in ./runtime (re-exported here too).

export { type Ajv, createAjv } from "./ajv.js";
export { type CheckName, checkResponse, checksFor, type Finding, type HeadersLike, type ResponseToCheck } from "./check-response.js";
export { SpecModelError } from "./errors.js";
export {
  bundledSpecModel,
  bundledSpecPath,
  type LoadOptions,
  loadSpecModel,
  type SpecHeader,
  type SpecModel,
  type SpecOperation,
  type SpecResponse,
} from "./load.js";
export { resolveRef } from "./resolve-ref.js";
export * from "./runtime.js";
export { standaloneValidatorsCode, standaloneValidatorsTypes } from "./standalone.js";
