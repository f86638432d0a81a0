// Fault injection: Gong's failures that are not HTTP statuses (a lost response, a reset connection, a slow
// answer) and load-balancer statuses, on demand. A scenario is a list of rules; for each request to an
// operation, the first rule that applies and fires decides the fault. Random choices come from one seeded
// generator (pure-rand), so the same seed and the same requests give the same faults in the same order.
//
//   reset-before      the connection is reset before the event is processed: nothing is recorded
//   drop-response     the event is processed (recorded, its key remembered for 409), then the connection is
//                     reset instead of answering; the journal marks the entry responseDropped: true
//   delay:<ms>        the event is processed, the answer comes <ms> later
//   delay-body:<ms>   the event is processed, the headers come at once and the body <ms> later
//   status:<code>     500, 502, 503 or 504 instead of processing; with after-processing, the event is
//                     processed first and the status replaces the real answer
//
// A rule fires on a fraction of the requests it matches (seeded), on the next N, or on every Nth; with none of
// these, on every request it matches. Rules can be written as objects or as strings such as
// "drop-response,every=3" or "status:503,after-processing,fraction=0.1,operations=<operationId>".
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { MockConfigError } from "./config-error.js";

export const FAULT_STATUSES = [500, 502, 503, 504] as const;

export type FaultKind = "reset-before" | "drop-response" | "delay" | "delay-body" | "status";

export interface FaultRule {
  /** "reset-before", "drop-response", "delay:<ms>", "delay-body:<ms>" or "status:<500|502|503|504>". */
  fault: string;
  /** For status faults: process the event first, then answer the status instead. */
  afterProcessing?: boolean;
  /** The operationIds the rule applies to; default all. */
  operations?: string[];
  /** Fire on this fraction (0 to 1) of the matching requests, drawn from the seeded generator. */
  fraction?: number;
  /** Fire on the next N matching requests, then never again. */
  next?: number;
  /** Fire on every Nth matching request (the Nth, the 2Nth, ...). */
  every?: number;
}

export interface FaultScenario {
  /** Seed of the generator behind `fraction`. Default: a random one, reported by GET /__mock/faults. */
  seed?: number;
  rules: Array<FaultRule | string>;
}

/** A fault chosen for one request. */
export interface Fault {
  kind: FaultKind;
  /** "drop-response", "delay:2000", "status:503", ... as written in the rule. */
  label: string;
  /** delay / delay-body: how long; status: which status. */
  value: number;
  afterProcessing: boolean;
}

interface ActiveRule {
  rule: Required<Pick<FaultRule, "fault">> & FaultRule;
  fault: Fault;
  matched: number;
  injected: number;
}

/** A fault rule or scenario that cannot be used: a MockConfigError from a flag or option, a 400 from /__mock/faults. */
export class FaultScenarioError extends MockConfigError {
  override name = "FaultScenarioError";
}

/** Parses "kind[,after-processing][,fraction=0.1|next=3|every=3][,operations=a+b]" into a rule. */
export function parseFaultRule(text: string): FaultRule {
  const [fault, ...parts] = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (!fault) throw new FaultScenarioError(`fault rule "${text}": empty; write e.g. "drop-response,every=3"`);
  const rule: FaultRule = { fault };
  for (const part of parts) {
    if (part === "after-processing") {
      rule.afterProcessing = true;
      continue;
    }
    // Stryker disable next-line StringLiteral: split() always yields a first element, so the default never applies
    const [key = "", value = ""] = part.split("=", 2).map((s) => s.trim());
    if (!["fraction", "next", "every", "operations"].includes(key)) {
      throw new FaultScenarioError(
        `fault rule "${text}": unknown part "${part}"; use after-processing, fraction=<0..1 or %>, next=<n>, every=<n>, operations=<id>[+<id>]`,
      );
    }
    // Number("") is 0: an empty value would silently become fraction 0 (never fires) rather than an error.
    // Stryker disable next-line Regex: a value that is empty once a trailing % is dropped is exactly "" or "%" either way
    if (value.replace(/%$/, "") === "")
      throw new FaultScenarioError(
        `fault rule "${text}": ${key} needs a value, e.g. "${key}=${key === "fraction" ? "0.1" : key === "operations" ? "<operationId>" : "3"}"`,
      );
    if (key === "fraction") rule.fraction = value.endsWith("%") ? Number(value.slice(0, -1)) / 100 : Number(value);
    else if (key === "operations") rule.operations = value.split("+").filter(Boolean);
    else rule[key as "next" | "every"] = Number(value);
  }
  return rule;
}

/** The rule as a flag would write it: "drop-response,every=3", "status:503,after-processing,fraction=0.1". */
export function formatFaultRule(rule: FaultRule): string {
  return [
    rule.fault,
    ...(rule.afterProcessing ? ["after-processing"] : []),
    ...(["fraction", "next", "every"] as const).filter((key) => rule[key] !== undefined).map((key) => `${key}=${rule[key]}`),
    ...(rule.operations?.length ? [`operations=${rule.operations.join("+")}`] : []),
  ].join(",");
}

/** Checks a rule (from a flag, an option or the admin API) and says exactly what is wrong with it. */
export function checkFaultRule(input: FaultRule | string, operationIds: readonly string[]): { rule: FaultRule; fault: Fault } {
  const rule = typeof input === "string" ? parseFaultRule(input) : input;
  // Stryker disable next-line ConditionalExpression: no primitive has a string `fault`, so the last test covers this one
  if (!rule || typeof rule !== "object" || typeof rule.fault !== "string") {
    throw new FaultScenarioError(`fault rule ${JSON.stringify(input)}: "fault" is required, e.g. "drop-response" or "status:503"`);
  }
  const where = `fault rule "${typeof input === "string" ? input : rule.fault}"`;
  const [name, argument] = rule.fault.split(":", 2) as [string, string | undefined];
  let fault: Fault;
  switch (name) {
    case "reset-before":
    case "drop-response":
      if (argument !== undefined) throw new FaultScenarioError(`${where}: ${name} takes no value`);
      fault = { kind: name, label: name, value: 0, afterProcessing: name === "drop-response" };
      break;
    case "delay":
    case "delay-body": {
      const ms = Number(argument);
      if (argument === undefined || argument.trim() === "" || !Number.isInteger(ms) || ms < 0 || ms > 600_000) {
        throw new FaultScenarioError(`${where}: ${name} needs a delay in ms from 0 to 600000, e.g. "${name}:2000"`);
      }
      fault = { kind: name, label: `${name}:${ms}`, value: ms, afterProcessing: true };
      break;
    }
    case "status": {
      const status = Number(argument);
      if (!(FAULT_STATUSES as readonly number[]).includes(status)) {
        throw new FaultScenarioError(`${where}: status needs one of ${FAULT_STATUSES.join(", ")}, e.g. "status:503"`);
      }
      const after = rule.afterProcessing === true;
      fault = { kind: "status", label: `status:${status}${after ? ",after-processing" : ""}`, value: status, afterProcessing: after };
      break;
    }
    default:
      throw new FaultScenarioError(
        `${where}: unknown fault "${name}"; use reset-before, drop-response, delay:<ms>, delay-body:<ms> or status:<500|502|503|504>`,
      );
  }
  if (rule.afterProcessing && fault.kind !== "status") {
    throw new FaultScenarioError(
      `${where}: after-processing applies to status faults only (${fault.kind} ${fault.kind === "reset-before" ? "never" : "always"} processes the event)`,
    );
  }
  const selectors = (["fraction", "next", "every"] as const).filter((key) => rule[key] !== undefined);
  if (selectors.length > 1) throw new FaultScenarioError(`${where}: use one of fraction, next, every (got ${selectors.join(" and ")})`);
  if (rule.fraction !== undefined && !(rule.fraction >= 0 && rule.fraction <= 1)) {
    throw new FaultScenarioError(`${where}: fraction must be from 0 to 1 (or 0% to 100%), got ${rule.fraction}`);
  }
  for (const key of ["next", "every"] as const) {
    const value = rule[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new FaultScenarioError(`${where}: ${key} must be a whole number from 1, got ${value}`);
    }
  }
  for (const id of rule.operations ?? []) {
    if (!operationIds.includes(id)) throw new FaultScenarioError(`${where}: no operation "${id}"; the operations are ${operationIds.join(", ")}`);
  }
  return { rule, fault };
}

/** A scenario's rules, each checked against the spec's operations, with its fault; a FaultScenarioError names the first problem. */
export function checkFaultScenario(scenario: FaultScenario, operationIds: readonly string[]): Array<{ rule: FaultRule; fault: Fault }> {
  if (!scenario || !Array.isArray(scenario.rules)) {
    throw new FaultScenarioError('a fault scenario is { "seed"?: <integer>, "rules": [<rule>, ...] }');
  }
  if (scenario.seed !== undefined && !Number.isSafeInteger(scenario.seed)) {
    throw new FaultScenarioError(`seed must be an integer, got ${JSON.stringify(scenario.seed)}`);
  }
  return scenario.rules.map((rule) => checkFaultRule(rule, operationIds));
}

/** The scenario in force: decides the fault of each request and counts what it injected. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private seed = 0;
  private random = xoroshiro128plus(0);
  private requests = 0;
  private readonly injected = new Map<string, number>();

  constructor(private operationIds: () => readonly string[]) {}

  /** Replaces the scenario (checked first: a bad rule leaves the old scenario in force). */
  set(scenario: FaultScenario): void {
    const checked = checkFaultScenario(scenario, this.operationIds());
    this.seed = scenario.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.random = xoroshiro128plus(this.seed);
    this.rules = checked.map(({ rule, fault }) => ({ rule, fault, matched: 0, injected: 0 }));
    this.requests = 0;
    this.injected.clear();
  }

  clear(): void {
    this.set({ rules: [] });
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** The fault for this request to `operationId`, if any; counts it. */
  pick(operationId: string): Fault | undefined {
    if (!this.rules.length) return undefined;
    this.requests++;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.operations?.length && !rule.operations.includes(operationId)) continue; // none listed: all
      active.matched++;
      const fires =
        rule.next !== undefined
          ? active.matched <= rule.next
          : rule.every !== undefined
            ? active.matched % rule.every === 0
            : rule.fraction !== undefined
              ? // Stryker disable next-line EqualityOperator: a draw equal to the fraction has probability 0
                uniformFloat64(this.random) < rule.fraction
              : true;
      if (!fires) continue;
      active.injected++;
      this.injected.set(active.fault.label, (this.injected.get(active.fault.label) ?? 0) + 1);
      return active.fault;
    }
    return undefined;
  }

  /** How many of each fault were injected ("drop-response": 3, "status:503": 1, "delay:2000": 2, ...). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.injected);
  }

  /** What GET /__mock/faults answers. */
  describe(): Record<string, unknown> {
    return {
      active: this.active,
      seed: this.seed,
      requests: this.requests,
      injected: this.counts(),
      rules: this.rules.map(({ rule, matched, injected }) => ({
        ...rule,
        matched,
        injected,
        ...(rule.next !== undefined ? { remaining: Math.max(0, rule.next - matched) } : {}),
      })),
    };
  }
}
