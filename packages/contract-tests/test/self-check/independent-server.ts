// A small, independent implementation of the spec (no Prism, no code from the mock) for checking the contract
// suite itself: run conforming, the suite must pass; run with a deliberate defect, the suite must fail.
// It validates bodies with Ajv against the bundled spec, checks Basic/Bearer credentials, limits calls per
// second, refuses replays with 409 and answers an exact int64 integrationId. It does not honour Prefer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { ajv, operations } from "../../src/spec-model.js";

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

export interface IndependentServer {
  url: string;
  /** Requests received so far. */
  readonly received: number;
  close(): Promise<void>;
}

export async function startIndependentServer(options: { ratePerSecond: number; defect?: Defect }): Promise<IndependentServer> {
  const seen = new Set<string>();
  const recent: number[] = [];
  const send = (res: import("node:http").ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(text);
  };
  const error = (res: import("node:http").ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    send(res, status, JSON.stringify(options.defect === "no-request-id-on-errors" ? { errors: [message] } : { requestId: randomUUID(), errors: [message] }), headers);
  const ignored = (e: { keyword: string; schemaPath: string; params: Record<string, unknown> }) =>
    (options.defect === "tracking-id-with-viewer-accepted" && e.schemaPath.includes("dependentSchemas")) ||
    (options.defect === "date-time-not-checked" && e.keyword === "format" && e.params.format === "date-time") ||
    (options.defect === "enum-not-checked" && e.keyword === "enum");

  let received = 0;
  const server: Server = createServer((req, res) => {
    received++;
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const operation = operations.find((op) => op.method === req.method && op.path === req.url);
      if (!operation) return error(res, 404, "not found");
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
      const validate = ajv.getSchema(`openapi.json${operation.requestSchemaRef}`)!;
      if (!validate(body)) {
        const errors = (validate.errors ?? []).filter((e) => !ignored(e as never) && e.keyword !== "if" && e.keyword !== "allOf");
        if (errors.length) return error(res, 400, errors.map((e) => `${e.instancePath} ${e.message}`).join("; "));
      }
      if (typeof body.eventId === "string") {
        // The defect "edited-replay-accepted" keys on the whole body, so only an identical resend is a duplicate.
        const key = options.defect === "edited-replay-accepted" ? raw : `${String(body.reportingSystem)} ${body.eventId}`;
        if (seen.has(key) && options.defect !== "replay-accepted") return error(res, 409, "Event was already reported in the past.");
        seen.add(key);
      }
      const integrationId =
        options.defect === "integration-id-float" ? "5.517027188234206e18" : options.defect === "integration-id-string" ? '"7000000000000000001"' : "7000000000000000001";
      send(res, 200, `{"requestId":"${randomUUID()}","integrationId":${integrationId}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() {
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
