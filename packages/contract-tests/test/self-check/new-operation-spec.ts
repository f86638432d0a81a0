// A copy of the bundled spec plus one operation that no TypeScript in the suite (or the mock) has heard of: a new
// path, its own x-gong-event duplicate rule, named examples, a 200 without a result id (suite-in-process.test.ts
// runs both profiles against the mock serving it).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const NEW_PATH = "/v2/contract-tests/activity";
export const NEW_OPERATION = "reportTestActivity";

/** The bundled spec plus one operation that no TypeScript in the suite (or the mock) has heard of. */
export function specWithNewOperation(): string {
  const document = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@gong-engage/spec/openapi.json"), "utf8"));
  document.components.schemas.TestActivity = {
    type: "object",
    description: "An activity of a test system.",
    required: ["source", "activityId", "occurredAt", "kind", "pageUrl"],
    properties: {
      source: { type: "string", description: "The system that saw the activity.", example: "test-system" },
      activityId: { type: "string", description: "The source's own id for the activity.", example: "a-1" },
      occurredAt: { type: "string", format: "date-time", description: "When it happened." },
      kind: { type: "string", enum: ["VISIT", "DOWNLOAD"], description: "What happened." },
      pageUrl: { type: "string", format: "uri", description: "Where it happened." },
      note: { type: "string", description: "Free text." },
    },
    additionalProperties: false,
  };
  document.components.schemas.TestActivityReported = {
    type: "object",
    required: ["requestId"],
    properties: { requestId: { type: "string", minLength: 1, description: "A request reference." } },
  };
  document.components.examples.TestActivityVisit = {
    value: {
      source: "test-system",
      activityId: "a-1",
      occurredAt: "2026-11-26T09:00:00Z",
      kind: "VISIT",
      pageUrl: "https://example.com/pricing",
      note: "First visit",
    },
  };
  document.components.examples.TestActivityDownload = {
    value: {
      source: "test-system",
      activityId: "a-2",
      occurredAt: "2026-11-26T09:05:00+01:00",
      kind: "DOWNLOAD",
      pageUrl: "https://example.com/whitepaper.pdf",
    },
  };
  const responses = document.paths["/v2/customer-engagement/content/shared"].put.responses;
  document.paths[NEW_PATH] = {
    post: {
      tags: ["Engagement"],
      summary: "Report a test activity",
      description: "A test operation: the suite must cover it from the spec alone.",
      operationId: NEW_OPERATION,
      "x-gong-event": { alias: "test-activity", eventIdField: "activityId", duplicateKey: ["source", "activityId"], duplicateKeyScope: "test-activity" },
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: { $ref: "#/components/schemas/TestActivity" },
            examples: {
              TestActivityVisit: { $ref: "#/components/examples/TestActivityVisit" },
              TestActivityDownload: { $ref: "#/components/examples/TestActivityDownload" },
            },
          },
        },
      },
      responses: {
        "200": { description: "Reported", content: { "application/json": { schema: { $ref: "#/components/schemas/TestActivityReported" } } } },
        ...Object.fromEntries(Object.entries(responses).filter(([status]) => status !== "200")),
      },
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), "contract-new-op-")), "openapi.json");
  writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}
