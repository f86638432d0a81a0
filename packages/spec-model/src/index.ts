// @gong-engage/spec-model: the one model of the spec that every package reads (Node). The browser-safe
// helpers are in ./runtime (re-exported here too).
export { bundledSpecPath, loadSpecModel, type SpecHeader, type SpecModel, type SpecOperation, type SpecResponse } from "./load.js";
export { createAjv, type Ajv } from "./ajv.js";
export { SpecModelError } from "./errors.js";
export { resolveRef } from "./resolve-ref.js";
export { checkResponse, checksFor, type CheckName, type Finding, type HeadersLike, type ResponseToCheck } from "./check-response.js";
export { standaloneValidatorsCode, standaloneValidatorsTypes } from "./standalone.js";
export * from "./runtime.js";
