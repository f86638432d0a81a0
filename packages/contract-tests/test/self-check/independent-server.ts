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
  | "integration-id-float"
  | "no-retry-after"
  | "tracking-id-with-viewer-accepted"
  | "malformed-json-500";

export interface IndependentServer {
  url: string;
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
    send(res, status, JSON.stringify({ requestId: randomUUID(), errors: [message] }), headers);

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const operation = operations.find((op) => op.method === req.method && op.path === req.url);
      if (!operation) return error(res, 404, "not found");
      const auth = req.headers.authorization ?? "";
      const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth);
      const decoded = basic ? Buffer.from(basic[1]!, "base64").toString() : "";
      const okBasic = /^[^:]+:.+$/.test(decoded);
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
        const onlyTracking = (validate.errors ?? []).every((e) => e.schemaPath.includes("dependentSchemas"));
        if (!(options.defect === "tracking-id-with-viewer-accepted" && onlyTracking)) {
          return error(res, 400, (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join("; "));
        }
      }
      if (typeof body.eventId === "string") {
        const key = `${operation.path} ${String(body.reportingSystem)} ${body.eventId}`;
        if (seen.has(key) && options.defect !== "replay-accepted") return error(res, 409, "Event was already reported in the past.");
        seen.add(key);
      }
      const integrationId = options.defect === "integration-id-float" ? "5.517027188234206e18" : "7000000000000000001";
      send(res, 200, `{"requestId":"${randomUUID()}","integrationId":${integrationId}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
