// The pieces together: the generated client against the Prism-based mock, both from the same spec.
import { type ContentSharedEvent, createEngagementClient, GongApiError } from "@gong-engage/client";
import { type MockServer, startMockServer } from "@gong-engage/mock-server";
import { bundledSpecModel } from "@gong-engage/spec-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const { operations } = bundledSpecModel();

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, ratePerSecond: 3 });
});
afterAll(() => mock.close());

const shared = operations.find((op) => op.operationId === "reportContentShared")!;
const example = () => ({ ...(Object.values(shared.examples)[0] as ContentSharedEvent), eventId: `client-${Date.now()}` });

describe("client against the mock", () => {
  it("reports an event, gets the exact integrationId the mock wrote, and the journal has it", async () => {
    const gong = createEngagementClient({ baseUrl: mock.url, auth: { accessKey: "k", accessKeySecret: "s" } });
    const event = example();
    const result = await gong.reportContentShared(event);
    const [entry] = mock.journal().slice(-1);
    expect(result).toEqual({ requestId: entry!.response.requestId, integrationId: entry!.response.integrationId, alreadyReported: false });
    expect(result.integrationId! > 2n ** 53n).toBe(true);
    const replay = await gong.reportContentShared(event).catch((e) => e);
    expect(replay).toBeInstanceOf(GongApiError);
    expect(replay.status).toBe(409);
  });

  it("rides out the mock's 3 calls/s limit through Retry-After, losing no event", async () => {
    mock.reset();
    const gong = createEngagementClient({ baseUrl: mock.url, auth: { bearerToken: "burst" }, retry: { maxRetries: 5 } });
    const events = Array.from({ length: 8 }, (_, i) => ({ ...example(), eventId: `burst-${Date.now()}-${i}` }));
    const results = await Promise.all(events.map((e) => gong.reportContentShared(e)));
    expect(results.every((r) => r.alreadyReported === false)).toBe(true);
    expect(
      mock
        .journal()
        .map((e) => (e.body as { eventId: string }).eventId)
        .sort(),
    ).toEqual(events.map((e) => e.eventId).sort());
  });
});
