// A real HTTP server on 127.0.0.1 that answers each request with the next step of a script, and records what
// it received. Used to drive the client through 429s, 5xx, 409s, hangs and dropped connections.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Step = { status: number; body?: string | object; headers?: Record<string, string> } | { hang: true } | { headersThenHang: true } | { drop: true };

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface ScriptedServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export const ok = (integrationId = "5517027188234206123", requestId = "req-ok"): Step => ({
  status: 200,
  body: `{"requestId":"${requestId}","integrationId":${integrationId}}`,
});
export const fail = (status: number, errors = [`status ${status}`], headers: Record<string, string> = {}): Step => ({
  status,
  body: { requestId: `req-${status}`, errors },
  headers,
});

export async function scriptedServer(steps: Step[]): Promise<ScriptedServer> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const step: Step = steps.shift() ?? { status: 599, body: { errors: ["the script has no more steps"] } };
      if ("hang" in step) {
        hanging.add(res);
        return;
      }
      if ("headersThenHang" in step) {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.write('{"requestId":"partial",');
        hanging.add(res);
        return;
      }
      if ("drop" in step) {
        req.socket.destroy();
        return;
      }
      const text = typeof step.body === "string" ? step.body : JSON.stringify(step.body ?? {});
      res.writeHead(step.status, { "Content-Type": "application/json", ...step.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
