// The mock's own endpoints under /__mock/ (never subject to faults): the journal, reset, health, the fault
// scenario (read, set, clear) and the validating proxy's violations.
import { type Answer, errorAnswer, jsonAnswer } from "./answer.js";
import { type FaultInjector, type FaultScenario, FaultScenarioError } from "./faults.js";
import type { Journal } from "./journal.js";
import type { ValidatingProxy } from "./proxy.js";
import type { LoadedSpec } from "./spec.js";

export interface AdminState {
  spec(): LoadedSpec;
  journal: Journal;
  faults: FaultInjector;
  proxy: ValidatingProxy | undefined;
  journalLimit: number;
  reset(): void;
}

const ENDPOINTS =
  "GET /__mock/events (?operationId, ?company), POST /__mock/reset, GET /__mock/health, GET|POST|DELETE /__mock/faults, GET /__mock/violations and, with OAuth on, GET /__mock/oauth, POST /__mock/oauth/revoke and POST /__mock/oauth/expire-all";

export function adminAnswer(state: AdminState, method: string, url: URL, body: Buffer | undefined): Answer {
  const route = `${method} ${url.pathname.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /__mock/events": {
      const operationId = url.searchParams.get("operationId");
      const known = state.spec().operations.map((o) => o.operationId);
      if (operationId !== null && !known.includes(operationId)) {
        return errorAnswer(400, [`operationId: no operation "${operationId}"; the operations are ${known.join(", ")}`]);
      }
      const company = url.searchParams.get("company"); // OAuth: one customer company's view
      const events = state.journal.list().filter((e) => (operationId === null || e.operationId === operationId) && (company === null || e.company === company));
      return jsonAnswer(200, {
        events,
        returned: events.length,
        accepted: state.journal.total,
        limit: state.journalLimit,
        faults: state.faults.counts(),
      });
    }
    case "POST /__mock/reset":
      state.reset();
      return jsonAnswer(200, { reset: true });
    case "GET /__mock/health":
      return jsonAnswer(200, {
        ok: true,
        specVersion: state.spec().version,
        operations: state.spec().operations.map((o) => `${o.method} ${o.path}`),
        ...(state.proxy ? { upstream: state.proxy.upstream.origin } : {}),
      });
    case "GET /__mock/faults":
      return jsonAnswer(200, state.faults.describe());
    case "POST /__mock/faults":
      return setFaults(state, body);
    case "DELETE /__mock/faults":
      state.faults.clear();
      return jsonAnswer(200, state.faults.describe());
    case "GET /__mock/violations": {
      const violations = state.proxy?.violations.list() ?? [];
      return jsonAnswer(200, {
        upstream: state.proxy?.upstream.origin ?? null,
        exchanges: state.proxy?.exchanges ?? 0,
        withViolations: state.proxy?.violations.total ?? 0,
        violations,
        ...(state.proxy ? {} : { note: "not a proxy: start the mock with --upstream <base URL> to check a real server" }),
      });
    }
    default:
      return errorAnswer(404, [`No mock endpoint at ${method} ${url.pathname}; there are ${ENDPOINTS}`]);
  }
}

function setFaults(state: AdminState, body: Buffer | undefined): Answer {
  let scenario: unknown;
  try {
    scenario = JSON.parse(body?.toString("utf8") ?? "");
  } catch {
    return errorAnswer(400, ['body: a JSON fault scenario, e.g. {"seed": 42, "rules": [{"fault": "drop-response", "every": 3}]}']);
  }
  // A single rule, or a list of rules, is a scenario too.
  if (Array.isArray(scenario)) scenario = { rules: scenario };
  else if (scenario && typeof scenario === "object" && "fault" in scenario) scenario = { rules: [scenario] };
  try {
    state.faults.set(scenario as FaultScenario);
  } catch (error) {
    if (error instanceof FaultScenarioError) return errorAnswer(400, [error.message]);
    throw error;
  }
  return jsonAnswer(200, state.faults.describe());
}
