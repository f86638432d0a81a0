// reportMany: a batch of events (a backlog, a backfill) sent through the client's paced calls, a few at a time,
// without losing or duplicating one. Every input gets exactly one outcome, whatever happens (abort included):
//   accepted          Gong took it now (integrationId)
//   already-reported  Gong has it: a 409 after an attempt whose outcome was unknown ("landed-earlier": a lost
//                     response or a timeout of this batch had recorded it), or a 409 on the first attempt
//                     ("reported-before": it was in Gong before this batch)
//   invalid           it fails the spec; nothing was sent
//   failed            Gong refused it, or it could not be sent; `mayHaveLanded` says whether it may be in Gong
//                     anyway (some attempt's outcome was unknown) or certainly is not. A 200 whose body cannot be
//                     read is `failed` with `mayHaveLanded: true` and code INVALID_RESPONSE: it IS in Gong, and it
//                     is not resent
//   not-attempted     the batch was aborted before it was sent
// An event whose call failed in a way a resend can fix (a timeout, a reset, a 5xx, a 429) is resent with the
// same eventId up to `resends` more times: a 409 then proves the earlier attempt landed. Inputs are read only
// as fast as they are sent, so an iterable of any length uses memory for `concurrency` events at a time.
import { GongApiError, type GongValidationError } from "./errors.js";
import { type AliasOf, type EventOf, eventIdOf, type Operation, type OperationId, operationNamed, operationNames, type ReportResult } from "./operations.js";
import { isRetryableStatus, outcomeIsUnknown } from "./retry.js";
import type { AttemptOutcome, ConflictReading, ValidationIssue } from "./types.js";

/** One input: the operation (its alias, e.g. "shared", or its operationId) and the event. */
export type ReportManyItem = { [Id in OperationId]: { operation: Id | AliasOf<Id>; event: EventOf<Id> } }[OperationId];

export interface ReportManyProgress {
  /** Outcomes so far, and by kind. */
  done: number;
  accepted: number;
  alreadyReported: number;
  invalid: number;
  failed: number;
  notAttempted: number;
  /** Events being sent now. */
  inFlight: number;
  /** Requests sent so far (retries and resends included). */
  requests: number;
  /** Outcomes per second over the last 10 seconds. */
  ratePerSecond: number;
}

export interface ReportManyOptions {
  /** Events in flight at once. Default 3 (pacing decides the rate; more only helps with slow answers). */
  concurrency?: number;
  /** Stops the batch: events not yet sent end as not-attempted; events in flight end as failed or not-attempted. */
  signal?: AbortSignal;
  /** Called after each outcome. */
  onProgress?: (progress: ReportManyProgress) => void;
  /** How many more times an event whose call failed transiently is sent again (same eventId). Default 2. */
  resends?: number;
}

interface OutcomeBase<Id extends OperationId = OperationId> {
  /** The position of the input (0-based). */
  index: number;
  /** The input's `operation`, as given. */
  operation: Id | AliasOf<Id>;
  /** The event's own id (its eventId), when it has one. */
  eventId: string | undefined;
  /** Requests sent for this event (0: none). */
  attempts: number;
}

/** The accepted result's fields but `alreadyReported`: requestId, and Gong's exact id for the event when the operation has one. */
type AcceptedFields<Id extends OperationId> = Omit<Extract<ReportResult<Id>, { alreadyReported: false }>, "alreadyReported">;

/** One input's outcome (by operation; without a parameter, any operation's). */
export type ReportOutcome<Id extends OperationId = OperationId> = Id extends OperationId ? OutcomeOf<Id> : never;

type OutcomeOf<Id extends OperationId, Base = OutcomeBase<Id>> =
  | (Base & { status: "accepted" } & AcceptedFields<Id>)
  | (Base & { status: "already-reported"; requestId: string; reason: "landed-earlier" | "reported-before" })
  | (Base & { status: "invalid"; issues: ValidationIssue[] })
  | (Base & {
      status: "failed";
      /** Gong's last HTTP status; undefined when no answer came (timeout, network) or nothing was sent (quota). */
      httpStatus: number | undefined;
      requestId: string | undefined;
      retryAfter: number | undefined;
      /** True: some attempt's outcome was unknown, the event may be in Gong (resend with the same eventId). */
      mayHaveLanded: boolean;
      error: GongApiError;
    })
  | (OutcomeBase & { status: "not-attempted"; reason: "aborted" });

/**
 * What one call of the client came to (it never rejects). `history` is every attempt's outcome for the event so
 * far, earlier calls' included: what a resend hands back, so that a 409 is read against all of them.
 */
export type Settlement =
  | { status: "accepted"; requestId: string; resultId: bigint | undefined; history: readonly AttemptOutcome[] }
  | { status: "already-reported"; reason: ConflictReading; requestId: string; history: readonly AttemptOutcome[]; error: GongApiError }
  | { status: "invalid"; error: GongValidationError }
  | { status: "failed"; error: GongApiError; history: readonly AttemptOutcome[] }
  | { status: "aborted"; reason: unknown; history: readonly AttemptOutcome[] };

/** The client's single call: `earlier` are the outcomes of the calls before it for the same event. */
export type Send = (operation: Operation, event: unknown, signal: AbortSignal | undefined, earlier: readonly AttemptOutcome[]) => Promise<Settlement>;
const RATE_WINDOW_MS = 10_000;

export async function* reportMany(
  send: Send,
  items: Iterable<ReportManyItem> | AsyncIterable<ReportManyItem>,
  options: ReportManyOptions = {},
): AsyncGenerator<ReportOutcome> {
  const concurrency = options.concurrency ?? 3;
  const resends = options.resends ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`reportMany: \`concurrency\` must be a whole number from 1, got ${concurrency}.`);
  if (!Number.isInteger(resends) || resends < 0) throw new TypeError(`reportMany: \`resends\` must be a whole number from 0, got ${resends}.`);
  const iterator = iterate(items);
  const { signal } = options;
  const progress: ReportManyProgress = {
    done: 0,
    accepted: 0,
    alreadyReported: 0,
    invalid: 0,
    failed: 0,
    notAttempted: 0,
    inFlight: 0,
    requests: 0,
    ratePerSecond: 0,
  };
  const recent: number[] = [];
  const inFlight = new Map<number, Promise<{ index: number; outcome: ReportOutcome }>>();
  let next = 0;
  let exhausted = false;
  let inputError: unknown;

  const counted = (outcome: ReportOutcome): ReportOutcome => {
    progress.done++;
    progress.requests += outcome.attempts;
    const key = (
      { accepted: "accepted", "already-reported": "alreadyReported", invalid: "invalid", failed: "failed", "not-attempted": "notAttempted" } as const
    )[outcome.status];
    progress[key]++;
    const now = Date.now();
    recent.push(now);
    while (recent[0]! <= now - RATE_WINDOW_MS) recent.shift();
    progress.ratePerSecond = recent.length / (RATE_WINDOW_MS / 1000);
    progress.inFlight = inFlight.size;
    options.onProgress?.({ ...progress });
    return outcome;
  };

  const pull = async (): Promise<IteratorResult<ReportManyItem> | undefined> => {
    if (exhausted) return undefined;
    try {
      const result = await iterator.next();
      if (result.done) exhausted = true;
      return result;
    } catch (error) {
      exhausted = true;
      inputError = error;
      return undefined;
    }
  };

  try {
    yield* run();
  } finally {
    // The consumer stopped early (a break, a throw): the input is closed, as a for...of would close it. Calls
    // already sent finish on their own; their outcomes are not reported (abort with `signal` to stop cleanly).
    if (!exhausted) {
      exhausted = true;
      try {
        await iterator.return?.();
      } catch {
        // closing is best effort
      }
    }
  }

  async function* run(): AsyncGenerator<ReportOutcome> {
    for (;;) {
      while (!exhausted && inFlight.size < concurrency && !signal?.aborted) {
        const result = await pull();
        if (!result || result.done) break;
        const index = next++;
        inFlight.set(
          index,
          one(send, result.value, index, signal, resends).then((outcome) => ({ index, outcome })),
        );
      }
      if (!inFlight.size) break;
      const { index, outcome } = await Promise.race(inFlight.values());
      inFlight.delete(index);
      yield counted(outcome);
    }
    // Aborted: every input not yet read is accounted for, not dropped.
    while (signal?.aborted && !exhausted) {
      const result = await pull();
      if (!result || result.done) break;
      yield counted(notAttempted(result.value, next++));
    }
    if (inputError !== undefined) throw inputError;
  }
}

/** One input to its outcome: the call, and resends while a resend can still help. */
async function one(send: Send, item: ReportManyItem, index: number, signal: AbortSignal | undefined, resends: number): Promise<ReportOutcome> {
  const operation = operationNamed(item?.operation);
  const base = { index, operation: item?.operation, eventId: eventIdOf(operation, item?.event) } as Omit<OutcomeBase, "attempts">;
  if (!operation || !item.event || typeof item.event !== "object") {
    const issues = !operation
      ? [{ field: "operation", problem: `must be one of ${operationNames()}, got ${JSON.stringify(item?.operation)}` }]
      : [{ field: "event", problem: "must be an object (the event)" }];
    return { ...base, attempts: 0, status: "invalid", issues } as ReportOutcome;
  }
  let earlier: readonly AttemptOutcome[] = [];
  for (let call = 0; ; call++) {
    let settled: Settlement;
    try {
      settled = await send(operation, item.event, signal, earlier);
    } catch (thrown) {
      // Not expected (settle answers every failure with a settlement), but one outcome per input, whatever happens.
      const error = new GongApiError({
        code: "NETWORK_ERROR",
        operationId: operation.operationId,
        attempts: earlier.length,
        errors: [`the call failed unexpectedly: ${thrown instanceof Error ? thrown.message : String(thrown)}`],
        mayHaveLanded: true,
        cause: thrown,
      });
      return failed(base, earlier.length, error);
    }
    if (settled.status === "invalid") return { ...base, attempts: 0, status: "invalid", issues: settled.error.issues };
    const attempts = settled.history.length;
    switch (settled.status) {
      case "accepted":
        return accepted(base, attempts, operation, settled.requestId, settled.resultId);
      case "already-reported":
        return { ...base, attempts, status: "already-reported", requestId: settled.requestId, reason: settled.reason };
      case "aborted": {
        if (attempts === 0) return notAttempted(item, index);
        const mayHaveLanded = settled.history.some(outcomeIsUnknown);
        const error = new GongApiError({
          code: "NETWORK_ERROR",
          operationId: operation.operationId,
          attempts,
          errors: ["aborted"],
          mayHaveLanded,
          cause: settled.reason,
        });
        return failed(base, attempts, error);
      }
    }
    // Not resent without an eventId after an outcome that may have landed: Gong would take the resend as new.
    const recognisable = base.eventId !== undefined && base.eventId !== "";
    if (call < resends && resendable(settled.error) && (recognisable || !settled.error.mayHaveLanded) && !signal?.aborted) {
      earlier = settled.history;
      continue;
    }
    return failed(base, attempts, settled.error);
  }
}

/** A failure a later call with the same eventId can fix: no answer, a lost answer, a 5xx, a 429 with a short wait. */
function resendable(error: GongApiError): boolean {
  if (error.code === "TIMEOUT" || error.code === "NETWORK_ERROR") return true;
  return error.code === "HTTP_ERROR" && error.status !== undefined && (error.status === 429 || isRetryableStatus(error.status));
}

/** Accepted: requestId, and Gong's id for the event under the operation's name for it (e.g. integrationId). */
function accepted(base: Omit<OutcomeBase, "attempts">, attempts: number, operation: Operation, requestId: string, resultId: bigint | undefined): ReportOutcome {
  const outcome: Record<string, unknown> = { ...base, attempts, status: "accepted", requestId };
  const field = (operation.event as { resultIdField?: string }).resultIdField;
  if (field !== undefined) outcome[field] = resultId;
  return outcome as unknown as ReportOutcome;
}

function failed(base: Omit<OutcomeBase, "attempts">, attempts: number, error: GongApiError): ReportOutcome {
  return {
    ...base,
    attempts,
    status: "failed",
    httpStatus: error.status,
    requestId: error.requestId,
    retryAfter: error.retryAfter,
    mayHaveLanded: error.mayHaveLanded,
    error,
  };
}

function notAttempted(item: ReportManyItem, index: number): ReportOutcome {
  return {
    index,
    operation: item?.operation,
    eventId: eventIdOf(operationNamed(item?.operation), item?.event),
    attempts: 0,
    status: "not-attempted",
    reason: "aborted",
  } as ReportOutcome;
}

function iterate<T>(items: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  if (items && typeof (items as AsyncIterable<T>)[Symbol.asyncIterator] === "function") return (items as AsyncIterable<T>)[Symbol.asyncIterator]();
  if (items && typeof (items as Iterable<T>)[Symbol.iterator] === "function") return (items as Iterable<T>)[Symbol.iterator]();
  throw new TypeError("reportMany: `items` must be an array or an (async) iterable of { operation, event }.");
}
