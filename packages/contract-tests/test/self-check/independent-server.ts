// A small, independent implementation of the spec (no Prism, no code from the mock or the suite) for checking the
// contract suite itself: run conforming, the suite must pass; run with a deliberate defect, the suite must fail.
// It validates bodies with its own Ajv against the bundled spec, checks Basic/Bearer credentials, limits calls per
// second, refuses replays with 409 and answers an exact int64 result id (x-gong-event.resultIdField). It does not
// honour Prefer.
// Which replays are duplicates is not Gong's word (it says only "Event was already reported in the past"), so it
// takes either reading the docs allow: `duplicates: "per-operation"` (a replay to the same operation only) or
// "across-operations" (operations sharing an x-gong-event.duplicateKeyScope share one key space, as the mock
// does). The suite must pass against both.

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export type Defect =
  | "replay-accepted"
  | "edited-replay-accepted"
  | "integration-id-float"
  | "integration-id-string"
  | "no-retry-after"
  | "tracking-id-with-viewer-accepted"
  | "malformed-json-500"
  | "basic-without-secret-accepted"
  | "no-request-id-on-errors"
  | "date-time-not-checked"
  | "enum-not-checked";

export type DuplicateReading = "per-operation" | "across-operations";

export interface IndependentServerOptions {
  /** Calls per second per server (a sliding one-second window); over it: 429 with Retry-After: 1. */
  ratePerSecond: number;
  defect?: Defect;
  /** @default "per-operation" */
  duplicates?: DuplicateReading;
  /** A bundled OpenAPI JSON file. @default @gong-engage/spec's bundle */
  specPath?: string;
}

export interface IndependentServer {
  url: string;
  /** Requests received so far. */
  readonly received: number;
  /** Requests received so far, by "METHOD path". */
  readonly receivedBy: Map<string, number>;
  close(): Promise<void>;
}

interface Route {
  operationId: string;
  validate: ReturnType<InstanceType<typeof Ajv2020.default>["compile"]>;
  rule: { duplicateKey?: string[]; duplicateKeyScope?: string; resultIdField?: string };
}

const routesBySpec = new Map<string, Map<string, Route>>();

/** The operations of the spec, with their validators (compiled once per spec file: many stand-ins start at once). */
function routes(specPath: string): Map<string, Route> {
  const known = routesBySpec.get(specPath);
  if (known) return known;
  const document = JSON.parse(readFileSync(specPath, "utf8"));
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addSchema(document, "openapi.json");
  const table = new Map<string, Route>();
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const ref = op?.requestBody?.content?.["application/json"]?.schema?.$ref;
      if (!ref) continue;
      table.set(`${method.toUpperCase()} ${path}`, {
        operationId: op.operationId,
        validate: ajv.getSchema(`openapi.json${ref}`)!,
        rule: op["x-gong-event"] ?? {},
      });
    }
  }
  routesBySpec.set(specPath, table);
  return table;
}

export async function startIndependentServer(options: IndependentServerOptions): Promise<IndependentServer> {
  const table = routes(options.specPath ?? createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json"));
  const seen = new Set<string>();
  const recent: number[] = [];
  const send = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    send(
      res,
      status,
      JSON.stringify(options.defect === "no-request-id-on-errors" ? { errors: [message] } : { requestId: randomUUID(), errors: [message] }),
      headers,
    );
  const ignored = (e: { keyword: string; schemaPath: string; params: Record<string, unknown> }) =>
    (options.defect === "tracking-id-with-viewer-accepted" && e.schemaPath.includes("dependentSchemas")) ||
    (options.defect === "date-time-not-checked" && e.keyword === "format" && e.params.format === "date-time") ||
    (options.defect === "enum-not-checked" && e.keyword === "enum");

  let received = 0;
  const receivedBy = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    received++;
    receivedBy.set(`${req.method} ${req.url}`, (receivedBy.get(`${req.method} ${req.url}`) ?? 0) + 1);
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const route = table.get(`${req.method} ${req.url}`);
      if (!route) return error(res, 404, "not found");
      const auth = req.headers.authorization ?? "";
      const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth);
      const decoded = basic ? Buffer.from(basic[1]!, "base64").toString() : "";
      const okBasic = options.defect === "basic-without-secret-accepted" ? decoded.length > 0 : /^[^:]+:.+$/.test(decoded);
      const okBearer = /^Bearer \S+$/.test(auth);
      if (!okBasic && !okBearer) return error(res, 401, "unauthorized");

      const now = Date.now();
      while (recent.length && recent[0]! <= now - 1000) recent.shift();
      if (recent.length >= options.ratePerSecond) {
        const headers: Record<string, string> = options.defect === "no-retry-after" ? {} : { "Retry-After": "1" };
        return error(res, 429, "rate limited", headers);
      }
      recent.push(now);

      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw);
      } catch {
        return error(res, options.defect === "malformed-json-500" ? 500 : 400, "malformed JSON");
      }
      if (!route.validate(body)) {
        const errors = (route.validate.errors ?? []).filter((e) => !ignored(e as never) && e.keyword !== "if" && e.keyword !== "allOf");
        if (errors.length) return error(res, 400, errors.map((e) => `${e.instancePath} ${e.message}`).join("; "));
      }
      const keyFields = route.rule.duplicateKey ?? [];
      if (keyFields.length && keyFields.every((field) => body[field] !== undefined)) {
        const space = options.duplicates === "across-operations" ? (route.rule.duplicateKeyScope ?? route.operationId) : route.operationId;
        // The defect "edited-replay-accepted" keys on the whole body, so only an identical resend is a duplicate.
        const key = `${space}\u0000${options.defect === "edited-replay-accepted" ? raw : JSON.stringify(keyFields.map((field) => body[field]))}`;
        if (seen.has(key) && options.defect !== "replay-accepted") return error(res, 409, "Event was already reported in the past.");
        seen.add(key);
      }
      const resultId =
        options.defect === "integration-id-float"
          ? "5.517027188234206e18"
          : options.defect === "integration-id-string"
            ? '"7000000000000000001"'
            : "7000000000000000001";
      const field = route.rule.resultIdField;
      send(res, 200, `{"requestId":"${randomUUID()}"${field ? `,"${field}":${resultId}` : ""}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() {
      return received;
    },
    receivedBy,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
