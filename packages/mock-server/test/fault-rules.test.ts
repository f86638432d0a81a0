// The fault rules as a user writes them (flags, options, POST /__mock/faults) and how a scenario picks the fault
// of each request: parsing, the exact problem named for a bad rule, and the selectors (fraction, next, every,
// operations) counted request by request. No server and no timers: the injector is called directly.
import { describe, expect, it } from "vitest";
import { MockConfigError } from "../src/config-error.js";
import { checkFaultRule, FaultInjector, type FaultRule, FaultScenarioError, formatFaultRule, parseFaultRule } from "../src/faults.js";
import { model } from "./helpers.js";

const ids = model.operations.map((o) => o.operationId);
const [first, second] = ids as [string, string];

function problem(input: FaultRule | string): string {
  try {
    checkFaultRule(input, ids);
  } catch (error) {
    expect(error).toBeInstanceOf(FaultScenarioError);
    expect(error).toBeInstanceOf(MockConfigError); // a flag or option problem: exit 2
    expect((error as Error).name).toBe("FaultScenarioError");
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

function injector(scenario: { seed?: number; rules: Array<FaultRule | string> }) {
  const faults = new FaultInjector(() => ids);
  faults.set(scenario);
  return faults;
}

/** The labels of the faults `n` requests to `operationId` get ("-" for none). */
const picks = (faults: FaultInjector, n: number, operationId = first) => Array.from({ length: n }, () => faults.pick(operationId)?.label ?? "-");

describe("parseFaultRule", () => {
  it("reads each part of the flag form, with spaces around parts ignored", () => {
    expect(parseFaultRule(" status:503 , after-processing , fraction=0.25 , operations=a+b ")).toEqual({
      fault: "status:503",
      afterProcessing: true,
      fraction: 0.25,
      operations: ["a", "b"],
    });
    expect(parseFaultRule("drop-response,every=3")).toEqual({ fault: "drop-response", every: 3 });
    expect(parseFaultRule("delay:20,next=2")).toEqual({ fault: "delay:20", next: 2 });
    expect(parseFaultRule("reset-before,fraction=10%")).toEqual({ fault: "reset-before", fraction: 0.1 });
    expect(parseFaultRule("reset-before,operations=a++b+")).toEqual({ fault: "reset-before", operations: ["a", "b"] });
    expect(parseFaultRule("reset-before,,")).toEqual({ fault: "reset-before" });
    expect(parseFaultRule("drop-response, every = 3 ,operations = a")).toEqual({ fault: "drop-response", every: 3, operations: ["a"] });
  });

  it("refuses an empty rule and an unknown part, saying what to write", () => {
    expect(() => parseFaultRule(" , ")).toThrow(new FaultScenarioError('fault rule " , ": empty; write e.g. "drop-response,every=3"'));
    expect(() => parseFaultRule("drop-response,often")).toThrow(
      'fault rule "drop-response,often": unknown part "often"; use after-processing, fraction=<0..1 or %>, next=<n>, every=<n>, operations=<id>[+<id>]',
    );
    expect(() => parseFaultRule("drop-response,often")).toThrow(FaultScenarioError);
    expect(() => parseFaultRule("drop-response,=3")).toThrow('unknown part "=3"');
  });

  it("refuses a selector without a value rather than reading it as 0 (a fraction of 0 would never fire)", () => {
    expect(() => parseFaultRule("drop-response,fraction=")).toThrow(
      new FaultScenarioError('fault rule "drop-response,fraction=": fraction needs a value, e.g. "fraction=0.1"'),
    );
    expect(() => parseFaultRule("drop-response,fraction=%")).toThrow('fraction needs a value, e.g. "fraction=0.1"');
    expect(() => parseFaultRule("drop-response,next")).toThrow('next needs a value, e.g. "next=3"');
    expect(() => parseFaultRule("drop-response,every= ")).toThrow('every needs a value, e.g. "every=3"');
    expect(() => parseFaultRule("drop-response,operations=")).toThrow('operations needs a value, e.g. "operations=<operationId>"');
  });

  it("formatFaultRule writes a rule back as the flag form, which parses to the same rule", () => {
    const rules: FaultRule[] = [
      { fault: "status:503", afterProcessing: true, fraction: 0.1, operations: [first, second] },
      { fault: "drop-response", every: 3 },
      { fault: "delay:5", next: 2 },
      { fault: "reset-before", operations: [] },
    ];
    expect(rules.map(formatFaultRule)).toEqual([
      `status:503,after-processing,fraction=0.1,operations=${first}+${second}`,
      "drop-response,every=3",
      "delay:5,next=2",
      "reset-before",
    ]);
    for (const rule of rules.slice(0, 3)) expect(parseFaultRule(formatFaultRule(rule))).toEqual(rule);
  });
});

describe("checkFaultRule", () => {
  it("turns each fault into what delivery needs: kind, label, value, and whether the event is processed first", () => {
    expect(checkFaultRule("reset-before", ids).fault).toEqual({ kind: "reset-before", label: "reset-before", value: 0, afterProcessing: false });
    expect(checkFaultRule("drop-response", ids).fault).toEqual({ kind: "drop-response", label: "drop-response", value: 0, afterProcessing: true });
    expect(checkFaultRule("delay:0", ids).fault).toEqual({ kind: "delay", label: "delay:0", value: 0, afterProcessing: true });
    expect(checkFaultRule("delay-body:600000", ids).fault).toEqual({ kind: "delay-body", label: "delay-body:600000", value: 600_000, afterProcessing: true });
    expect(checkFaultRule("status:500", ids).fault).toEqual({ kind: "status", label: "status:500", value: 500, afterProcessing: false });
    expect(checkFaultRule({ fault: "status:504", afterProcessing: true }, ids).fault).toEqual({
      kind: "status",
      label: "status:504,after-processing",
      value: 504,
      afterProcessing: true,
    });
    for (const status of [502, 503]) expect(checkFaultRule(`status:${status}`, ids).fault.value).toBe(status);
    const rule = { fault: "drop-response", every: 2, operations: [first] };
    expect(checkFaultRule(rule, ids).rule).toBe(rule);
  });

  it("names the rule and exactly what is wrong with it", () => {
    expect(problem({} as FaultRule)).toBe('fault rule {}: "fault" is required, e.g. "drop-response" or "status:503"');
    expect(problem(null as unknown as FaultRule)).toBe('fault rule null: "fault" is required, e.g. "drop-response" or "status:503"');
    expect(problem({ fault: 5 } as unknown as FaultRule)).toMatch(/^fault rule \{"fault":5\}: "fault" is required/);
    expect(problem("reset-before:1")).toBe('fault rule "reset-before:1": reset-before takes no value');
    expect(problem({ fault: "drop-response:0" })).toBe('fault rule "drop-response:0": drop-response takes no value');
    for (const bad of ["delay", "delay:", "delay: ", "delay:-1", "delay:1.5", "delay:600001", "delay:soon"]) {
      expect(problem(bad), bad).toBe(`fault rule "${bad}": delay needs a delay in ms from 0 to 600000, e.g. "delay:2000"`);
    }
    expect(problem({ fault: "delay: " })).toBe('fault rule "delay: ": delay needs a delay in ms from 0 to 600000, e.g. "delay:2000"');
    expect(problem("delay-body:x")).toBe('fault rule "delay-body:x": delay-body needs a delay in ms from 0 to 600000, e.g. "delay-body:2000"');
    for (const bad of ["status", "status:404", "status:501", "status:5O3"]) {
      expect(problem(bad), bad).toBe(`fault rule "${bad}": status needs one of 500, 502, 503, 504, e.g. "status:503"`);
    }
    expect(problem("timeout")).toBe(
      'fault rule "timeout": unknown fault "timeout"; use reset-before, drop-response, delay:<ms>, delay-body:<ms> or status:<500|502|503|504>',
    );
    expect(problem("reset-before,after-processing")).toBe(
      'fault rule "reset-before,after-processing": after-processing applies to status faults only (reset-before never processes the event)',
    );
    expect(problem("delay:5,after-processing")).toBe(
      'fault rule "delay:5,after-processing": after-processing applies to status faults only (delay always processes the event)',
    );
    expect(problem("drop-response,every=2,next=1")).toBe('fault rule "drop-response,every=2,next=1": use one of fraction, next, every (got next and every)');
    expect(problem("drop-response,fraction=1.01")).toBe('fault rule "drop-response,fraction=1.01": fraction must be from 0 to 1 (or 0% to 100%), got 1.01');
    expect(problem("drop-response,fraction=-0.1")).toMatch(/fraction must be from 0 to 1/);
    expect(problem("drop-response,fraction=half")).toMatch(/fraction must be from 0 to 1 \(or 0% to 100%\), got NaN$/);
    for (const bad of ["next=0", "next=1.5", "every=0", "every=-2", "every=x"]) {
      const [key, value] = bad.split("=");
      expect(problem(`drop-response,${bad}`), bad).toBe(`fault rule "drop-response,${bad}": ${key} must be a whole number from 1, got ${Number(value)}`);
    }
    expect(problem({ fault: "drop-response", operations: [first, "nope"] })).toBe(
      `fault rule "drop-response": no operation "nope"; the operations are ${ids.join(", ")}`,
    );
  });

  it("accepts the edges: fraction 0 and 1, next and every of 1", () => {
    for (const ok of ["drop-response,fraction=0", "drop-response,fraction=1", "drop-response,fraction=100%", "drop-response,next=1", "drop-response,every=1"]) {
      expect(() => checkFaultRule(ok, ids), ok).not.toThrow();
    }
  });
});

describe("FaultInjector", () => {
  it("without rules injects nothing and counts nothing", () => {
    const faults = new FaultInjector(() => ids);
    expect(faults.active).toBe(false);
    expect(picks(faults, 3)).toEqual(["-", "-", "-"]);
    expect(faults.describe()).toMatchObject({ active: false, requests: 0, injected: {}, rules: [] });
  });

  it("a rule without a selector fires on every request it matches", () => {
    const faults = injector({ rules: ["status:503"] });
    expect(faults.active).toBe(true);
    expect(picks(faults, 3)).toEqual(["status:503", "status:503", "status:503"]);
  });

  it("next=N fires on the next N matching requests, then never; describe says how many remain", () => {
    const faults = injector({ rules: ["drop-response,next=2"] });
    expect(faults.describe().rules).toEqual([{ fault: "drop-response", next: 2, matched: 0, injected: 0, remaining: 2 }]);
    expect(picks(faults, 4)).toEqual(["drop-response", "drop-response", "-", "-"]);
    expect(faults.describe()).toMatchObject({ requests: 4, injected: { "drop-response": 2 }, rules: [{ matched: 4, injected: 2, remaining: 0 }] });
  });

  it("every=N fires on the Nth, 2Nth, ... matching request", () => {
    const faults = injector({ rules: ["reset-before,every=3"] });
    expect(picks(faults, 7)).toEqual(["-", "-", "reset-before", "-", "-", "reset-before", "-"]);
    expect(faults.describe().rules).toEqual([{ fault: "reset-before", every: 3, matched: 7, injected: 2 }]);
  });

  it("a fraction is drawn from the seed: same seed, same faults; 0 never fires, 1 always does; near the fraction over many", () => {
    const run = (seed: number) => picks(injector({ seed, rules: ["status:500,fraction=0.3"] }), 200).join();
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
    const fired = run(7)
      .split(",")
      .filter((label) => label === "status:500").length;
    expect(fired).toBeGreaterThan(30);
    expect(fired).toBeLessThan(90);
    expect(picks(injector({ seed: 1, rules: ["status:500,fraction=0"] }), 50)).toEqual(Array(50).fill("-"));
    expect(picks(injector({ seed: 1, rules: ["status:500,fraction=1"] }), 50)).toEqual(Array(50).fill("status:500"));
    expect(injector({ seed: 42, rules: [] }).describe().seed).toBe(42);
  });

  it("rules apply to the operations they name; the first rule that fires wins; each rule counts its own matches", () => {
    const faults = injector({ rules: [{ fault: "status:502", operations: [second] }, "drop-response,every=2"] });
    expect([faults.pick(first)?.label, faults.pick(second)?.label, faults.pick(first)?.label, faults.pick(second)?.label]).toEqual([
      undefined,
      "status:502",
      "drop-response",
      "status:502",
    ]);
    expect(faults.describe()).toMatchObject({
      requests: 4,
      injected: { "status:502": 2, "drop-response": 1 },
      rules: [
        { fault: "status:502", matched: 2, injected: 2 },
        { fault: "drop-response", matched: 2, injected: 1 },
      ],
    });
    expect(faults.counts()).toEqual({ "status:502": 2, "drop-response": 1 });
  });

  it("a new scenario starts its counts afresh; a bad one is refused and leaves the old one in force", () => {
    const faults = injector({ seed: 3, rules: ["drop-response,next=1"] });
    picks(faults, 2);
    expect(() => faults.set({ rules: ["drop-response", "status:404"] })).toThrow(/status:404/);
    expect(() => faults.set({ seed: 1.5, rules: [] })).toThrow(new FaultScenarioError("seed must be an integer, got 1.5"));
    expect(() => faults.set({ rules: "drop-response" } as never)).toThrow('a fault scenario is { "seed"?: <integer>, "rules": [<rule>, ...] }');
    expect(() => faults.set(undefined as never)).toThrow(FaultScenarioError);
    expect(faults.describe()).toMatchObject({ seed: 3, requests: 2, injected: { "drop-response": 1 } });
    faults.set({ seed: 3, rules: ["drop-response,next=1"] });
    expect(faults.describe()).toMatchObject({ requests: 0, injected: {}, rules: [{ matched: 0, injected: 0, remaining: 1 }] });
    expect(picks(faults, 2)).toEqual(["drop-response", "-"]);
    faults.clear();
    expect(faults.active).toBe(false);
    expect(faults.pick(first)).toBeUndefined();
  });

  it("an empty operations list means every operation, as formatFaultRule writes it", () => {
    const faults = injector({ rules: [{ fault: "reset-before", operations: [] }] });
    expect([faults.pick(first)?.label, faults.pick(second)?.label]).toEqual(["reset-before", "reset-before"]);
  });

  it("checks operation names against the operations served now (a reloaded spec)", () => {
    let served = ["a"];
    const faults = new FaultInjector(() => served);
    expect(() => faults.set({ rules: [{ fault: "drop-response", operations: ["b"] }] })).toThrow('no operation "b"; the operations are a');
    served = ["a", "b"];
    expect(() => faults.set({ rules: [{ fault: "drop-response", operations: ["b"] }] })).not.toThrow();
  });

  it("a scenario without a seed gets a random one, reported so that the run can be repeated", () => {
    const seeds = new Set(Array.from({ length: 5 }, () => injector({ rules: [] }).describe().seed as number));
    for (const seed of seeds) expect(Number.isSafeInteger(seed)).toBe(true);
    expect(seeds.size).toBeGreaterThan(1);
  });
});
