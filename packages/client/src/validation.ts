// Checks an event against the spec's request schema before anything is sent. The validators are generated
// from the bundled spec at build time (src/generated/validators.js); Ajv's errors become issues through the spec
// model's formatIssues, so a field's problem reads here as it does in the mock's 400s and the suite's findings.
import { fieldPath, formatIssues } from "@gong-engage/spec-model/runtime";
import type { ErrorObject } from "ajv";
import type { OperationId } from "./generated/operations.js";
import * as validators from "./generated/validators.js";
import { type OperationName, operationNamed, operationNames } from "./operations.js";
import type { ValidationIssue } from "./types.js";

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
/** The generated validators by operationId, read once (a namespace object is not indexed per call). */
const validatorsByOperation: Readonly<Record<string, Validator>> = { ...validators };

export type { OperationId } from "./generated/operations.js";

/**
 * The event's problems by the spec (the same checks the mock and the contract suite apply), one per failing
 * field, the field as a path into the event (`recipients[0].email`, `(event)` for the event itself); empty when
 * the event is valid. What the report methods run before sending anything.
 */
export function validateEvent(operationId: OperationId | OperationName, event: unknown): ValidationIssue[] {
  const operation = operationNamed(operationId);
  if (!operation) throw new TypeError(`validateEvent: \`operation\` must be one of ${operationNames()}, got ${JSON.stringify(operationId)}.`);
  const validate = validatorsByOperation[operation.operationId] as Validator;
  if (validate(event)) return [];
  return formatIssues(validate.errors).map(({ field, problem }) => ({ field: fieldPath(field, "(event)"), problem }));
}
