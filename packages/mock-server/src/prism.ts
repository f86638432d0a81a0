// The bridge to Prism (the pinned @stoplight/prism-http, called through its programmatic API): it validates a
// request against the spec and produces the documented response, honouring Prism's preferences (Prefer:
// code / example / dynamic). Every body it produces gets a fresh requestId and, in a 2xx of an operation whose
// x-gong-event names a resultIdField (Gong's id for the event), a fresh int64 beyond 2^53 there, so a client
// that rounds it is caught.
import type { IncomingMessage } from "node:http";
import type { IHttpConfig, IHttpRequest } from "@stoplight/prism-http";
import { type Answer, errorAnswer, jsonAnswer } from "./answer.js";
import { newInt64, newRequestId } from "./ids.js";
import { loadPrism, type Prism } from "./prism-loader.js";
import type { LoadedSpec, SpecOperation } from "./spec.js";
import type { PrismViolation } from "./violations.js";

export interface Preferences {
  code?: number | undefined;
  exampleKey?: string | undefined;
  dynamic?: boolean | undefined;
  seed?: string | undefined;
}

export type PrismResult =
  | { ok: true; statusCode: number; headers: Record<string, unknown>; body: unknown; violations: PrismViolation[] }
  | { ok: false; status: number; detail: string };

export class PrismBridge {
  private readonly prism: ReturnType<Prism["createInstance"]>;

  constructor(private readonly spec: () => LoadedSpec) {
    const { createInstance, createLogger } = loadPrism();
    this.prism = createInstance(config(), { logger: createLogger("gong-mock", { level: "silent" }) });
  }

  /** Prism's reading of the Prefer header (and of its __code / __example / __dynamic query form). */
  preferences(input: IHttpRequest): { ok: true; prefer: Preferences } | { ok: false; problem: string } {
    const parsed = loadPrism().getHttpConfigFromRequest(input);
    if (parsed._tag === "Left") return { ok: false, problem: parsed.left.detail || parsed.left.message };
    return { ok: true, prefer: parsed.right };
  }

  /** Validates the request and produces Prism's response. `forced`: answer as asked, without validating. */
  async request(input: IHttpRequest, prefer: Preferences, { forced = false } = {}): Promise<PrismResult> {
    const outcome = await this.prism.request(
      input,
      this.spec().prismOperations,
      config(!forced, {
        dynamic: prefer.dynamic ?? false,
        ...(prefer.code !== undefined ? { code: prefer.code } : {}),
        ...(prefer.exampleKey !== undefined ? { exampleKey: prefer.exampleKey } : {}),
        ...(prefer.seed !== undefined ? { seed: prefer.seed } : {}),
      }),
    )();
    if (outcome._tag === "Left") {
      const error = outcome.left as Error & { status?: number; detail?: string };
      return { ok: false, status: error.status ?? 500, detail: error.detail || error.message };
    }
    const { output, validations } = outcome.right;
    return {
      ok: true,
      statusCode: output.statusCode,
      headers: output.headers ?? {},
      body: output.body,
      violations: validations.input as PrismViolation[],
    };
  }

  /** Prism's result as the mock's answer: fresh ids; Prism's own failures as Gong's 400 (the request's fault) or 500. */
  answer(operation: SpecOperation, result: PrismResult): Answer {
    if (!result.ok) return errorAnswer(result.status < 500 ? 400 : 500, [result.detail]);
    const headers = Object.fromEntries(Object.entries(result.headers).map(([name, value]) => [name, String(value)]));
    return jsonAnswer(result.statusCode, withFreshIds(operation, result.statusCode, result.body), headers);
  }
}

/** Prism's input for a request (the body is added once it is parsed). */
export function prismInput(req: IncomingMessage, url: URL, method: string): IHttpRequest {
  return {
    method: method.toLowerCase() as IHttpRequest["method"],
    url: { path: url.pathname, query: Object.fromEntries(url.searchParams) },
    headers: req.headers as Record<string, string>,
    body: undefined,
  };
}

/** The body with a fresh requestId and, in a 2xx, the operation's resultIdField (if it has one) a fresh exact int64. */
export function withFreshIds(operation: SpecOperation, status: number, body: unknown): Record<string, unknown> {
  const object = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const fresh: Record<string, unknown> = { ...object, requestId: newRequestId() };
  const idField = operation.event.resultIdField;
  if (idField && status >= 200 && status < 300) fresh[idField] = newInt64();
  return fresh;
}

function config(validate = true, mock: Partial<IHttpConfig["mock"]> = {}): IHttpConfig {
  return {
    mock: { dynamic: false, ...mock },
    validateRequest: validate,
    validateResponse: false,
    checkSecurity: validate,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false,
  } as IHttpConfig;
}
