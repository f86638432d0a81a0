// The run's mock Gongs live in vitest's main process (started from global-setup.ts): Prism and the mock load once
// per run, not once per test process. A scenario asks for a mock of its own (its options: credentials, OAuth,
// faults, a rate), gets its URL, and reads its journal and request log over loopback HTTP; the mock's own admin
// endpoints (/__mock/oauth, /__mock/faults) answer the rest. Real mocks on real sockets, as before; only where
// they run changed.
//   POST   /mocks                 options (MockServerOptions as JSON)  -> { id, url }
//   GET    /mocks/<id>/journal    the accepted events (bigints as strings)
//   GET    /mocks/<id>/accepted   { count } of accepted events: what a scenario polls while it waits
//   GET    /mocks/<id>/requests   [{ at, line }]: every request line the mock logged
//   DELETE /mocks/<id>            closes it
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MockServer, MockServerOptions } from "@gong-engage/mock-server";

export interface MockHost {
  url: string;
  close(): Promise<void>;
}

export async function serveMocks(): Promise<MockHost> {
  const { startMockServer } = await import("@gong-engage/mock-server");
  const mocks = new Map<string, { mock: MockServer; requests: Array<{ at: number; line: string }> }>();
  let made = 0;

  async function answer(req: IncomingMessage): Promise<unknown> {
    const [, root, id, what] = (req.url ?? "").split("/");
    if (root !== "mocks") throw new Error(`no ${req.method} ${req.url}`);
    if (req.method === "POST" && id === undefined) {
      let body = "";
      for await (const chunk of req) body += chunk;
      const requests: Array<{ at: number; line: string }> = [];
      const options = JSON.parse(body) as MockServerOptions;
      const mock = await startMockServer({ port: 0, journalLimit: 100_000, ...options, log: (line) => requests.push({ at: Date.now(), line }) });
      const key = String(++made);
      mocks.set(key, { mock, requests });
      return { id: key, url: mock.url };
    }
    const entry = mocks.get(id ?? "");
    if (!entry) throw new Error(`no mock ${id}`);
    if (req.method === "DELETE") {
      mocks.delete(id!);
      await entry.mock.close();
      return { closed: true };
    }
    if (what === "journal") return entry.mock.journal();
    if (what === "accepted") return { count: entry.mock.journal().length };
    if (what === "requests") return entry.requests;
    throw new Error(`no ${req.method} ${req.url}`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    answer(req).then(
      (value) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? String(v) : v)));
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String((error as Error)?.message ?? error));
      },
    );
  });
  // The test processes poll it, then fall quiet for a while: a kept-alive connection must not be closed by this
  // side just as a loaded client reuses it (the client's own idle timeout, shorter, closes it first).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await Promise.all([...mocks.values()].map(({ mock }) => mock.close()));
      mocks.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
