// The spec's operations as the client sees them: their types (event and result per operation) and the lookup of
// an operation by operationId or alias. Everything here is read from the generated src/generated/operations.ts,
// so an operation added to the spec becomes a client method, a reportMany operation and a validator without a
// hand-written line naming it.
import { type EventOf, OPERATIONS, type OperationId, RATE_LIMITS } from "./generated/operations.js";

export { type EventOf, OPERATIONS, type OperationId, RATE_LIMITS };

/** One operation: operationId, method, path, alias and Gong's rule for its event. */
export type Operation = (typeof OPERATIONS)[OperationId];
/** An operation's short name (x-gong-event.alias), e.g. what reportMany's `operation` takes. */
export type AliasOf<Id extends OperationId> = (typeof OPERATIONS)[Id]["alias"];
/** An operation named by operationId or alias, to its operationId. */
export type OperationNamed = { [Id in OperationId as Id | AliasOf<Id>]: Id };
export type OperationName = keyof OperationNamed;

/** The answer field that carries Gong's id for the event (x-gong-event.resultIdField), or never. */
type ResultIdField<Id extends OperationId> = (typeof OPERATIONS)[Id]["event"] extends { resultIdField: infer F extends string } ? F : never;

/** Every operation's result id field: an operation without one has it as optional `undefined`, so that code reading
 * `result.integrationId` from an unparameterised ReportResult still compiles when the spec gains such an operation. */
type AnyResultIdField = { [Id in OperationId]: ResultIdField<Id> }[OperationId];
type NoResultId<Id extends OperationId> = { readonly [K in Exclude<AnyResultIdField, ResultIdField<Id>>]?: undefined };

/** What a report resolves with (by operation; without a parameter, any operation's). */
export type ReportResult<Id extends OperationId = OperationId> = Id extends OperationId
  ?
      | ({
          /** Gong's request reference. */
          requestId: string;
          /** False: this call's request was accepted. */
          alreadyReported: false;
        } & { readonly [K in ResultIdField<Id>]: bigint } & NoResultId<Id>) // Gong's id for the event, exact (an int64 beyond 2^53)
      | ({
          requestId: string;
          /**
           * True: an earlier attempt of this same call got no clear answer (timeout, network error, 5xx), and the
           * retry was refused with 409: that earlier attempt landed, so the event is in Gong. Gong's 409 does not
           * carry its id for the event: that field is undefined.
           */
          alreadyReported: true;
        } & { readonly [K in ResultIdField<Id>]: undefined } & NoResultId<Id>)
  : never;

const BY_NAME = new Map<string, Operation>();
for (const operation of Object.values(OPERATIONS) as Operation[]) {
  BY_NAME.set(operation.operationId, operation);
  BY_NAME.set(operation.alias, operation);
}

/** The operation with this operationId or alias, or undefined. */
export function operationNamed(name: unknown): Operation | undefined {
  return typeof name === "string" ? BY_NAME.get(name) : undefined;
}

/** Every operation's name, for messages: `"shared", "viewed" (or an operationId: "reportContentShared", ...)`. */
export function operationNames(): string {
  const all = Object.values(OPERATIONS) as Operation[];
  const quoted = (names: string[]) => names.map((name) => JSON.stringify(name)).join(", ");
  return `${quoted(all.map((op) => op.alias))} (or an operationId: ${quoted(all.map((op) => op.operationId))})`;
}

/** Gong's id field in an operation's answer, if it has one. */
export function resultIdFieldOf(operation: Operation): string | undefined {
  return (operation.event as { resultIdField?: string }).resultIdField;
}

/** The event's own id (x-gong-event.eventIdField), when it has one. */
export function eventIdOf(operation: Operation | undefined, event: unknown): string | undefined {
  const field = (operation?.event as { eventIdField?: string } | undefined)?.eventIdField;
  const id = field === undefined ? undefined : (event as Record<string, unknown> | null | undefined)?.[field];
  return typeof id === "string" ? id : undefined;
}
