// The breaking-change gate: a table of spec pairs (the bundled spec, and the same spec with one kind of
// change), each with the classification a reviewer expects from the point of view of an app that sends events.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { compareSpecs, formatMarkdown, formatText, gate } from "../lib/diff.mjs";
import { spec } from "./load-bundle.js";

type Spec = typeof spec;
const SHARED = "/v2/customer-engagement/content/shared";
const VIEWED = "/v2/customer-engagement/content/viewed";
const DIGITAL_INTERACTION = "/v2/digital-interaction";
const scopes = (s: Spec) => s.components.securitySchemes.OAuth2.flows.authorizationCode.scopes;
const schemas = (s: Spec) => s.components.schemas;

/** The spec as it was before POST /v2/digital-interaction: its path, its own components, its tag and scope gone. */
function withoutDigitalInteraction(s: Spec) {
  delete s.paths[DIGITAL_INTERACTION];
  for (const name of [
    "DigitalInteractionRequest",
    "Content",
    "NumericContentDetails",
    "StepContentDetails",
    "SearchObjectDetails",
    "CustomField",
    "Person",
    "PersonBusinessContext",
    "Location",
    "Company",
    "CompanyBusinessContext",
    "EventAcceptedResponse",
  ]) {
    delete s.components.schemas[name];
  }
  for (const name of ["DigitalInteractionKnownPerson", "DigitalInteractionAnonymousPerson", "DigitalInteractionTrackingId", "EventAccepted"]) {
    delete s.components.examples[name];
  }
  delete s.components.responses.EventAccepted;
  delete scopes(s)["api:digital-interactions:write"];
  s.tags = s.tags.filter((t: { name: string }) => t.name !== "Digital Interactions");
}

type Kind = "breaking" | "non-breaking" | "docs-only";
// [the change, how to make it, expected kind, expected wording, a setup applied to both specs first]
const pairs: Array<[string, (s: Spec) => void, Kind, RegExp, ((s: Spec) => void)?]> = [
  // breaking for a sender
  ["a new required request field", (s) => schemas(s).ContentSharedEvent.required.push("shareId"), "breaking", /new required request field `shareId`/],
  ["a removed enum value", (s) => schemas(s).AgentPlatform.enum.pop(), "breaking", /agentPlatform`: enum value "Android" removed/],
  [
    "an enum on a field that had none",
    (s) => (schemas(s).ContentSharedEvent.properties.agentPlatform.enum = ["Windows"]),
    "breaking",
    /agentPlatform`: enum added/,
  ],
  ["a removed request property", (s) => delete schemas(s).ContentSharedEvent.properties.shareInfoUrl, "breaking", /request property `shareInfoUrl` removed/],
  [
    "a removed response property",
    (s) => delete schemas(s).EventReportedResponse.properties.integrationId,
    "breaking",
    /status 200 property `integrationId` removed/,
  ],
  [
    "a narrowed request type",
    (s) => (schemas(s).ContentViewedEvent.properties.trackingId.type = "string"),
    "breaking",
    /trackingId`: type string\|null -> string/,
  ],
  [
    "a format added to a request field",
    (s) => (schemas(s).ContentSharedEvent.properties.contentId.format = "uuid"),
    "breaking",
    /contentId`: format null -> "uuid"/,
  ],
  [
    "a tighter limit on a request field",
    (s) => (schemas(s).ContentSharedEvent.properties.contentTitle.maxLength = 80),
    "breaking",
    /contentTitle`: maxLength null -> 80/,
  ],
  [
    "closed request objects (additionalProperties: false)",
    (s) => (schemas(s).Sharer.additionalProperties = false),
    "breaking",
    /sharer`: additionalProperties null -> false/,
  ],
  ["a removed response status", (s) => delete s.paths[SHARED].put.responses["409"], "breaking", /status 409 no longer documented/],
  [
    "a removed response header",
    (s) => delete s.components.responses.TooManyRequests.headers["Retry-After"],
    "breaking",
    /status 429: header Retry-After removed/,
  ],
  [
    "a response field no longer required",
    (s) => schemas(s).EventReportedResponse.required.pop(),
    "breaking",
    /`requestId` may now be absent/,
    (s) => (schemas(s).EventReportedResponse.required = ["requestId"]),
  ],
  [
    "a changed response type",
    (s) => (schemas(s).EventReportedResponse.properties.integrationId.type = "string"),
    "breaking",
    /integrationId`: type integer -> string/,
  ],
  ["a removed operation", (s) => delete s.paths[VIEWED], "breaking", /operation PUT \/v2\/customer-engagement\/content\/viewed removed/],
  [
    "a removed OAuth scope",
    (s) => delete scopes(s)["api:digital-interactions:write"],
    "breaking",
    /OAuth scope api:digital-interactions:write \(OAuth2\) removed/,
  ],
  [
    "a removed request content type",
    (s) => delete s.paths[SHARED].put.requestBody.content["application/json"],
    "breaking",
    /request body: content type application\/json removed/,
  ],
  // non-breaking
  [
    "a new optional request field",
    (s) => (schemas(s).ContentSharedEvent.properties.language = { type: "string", description: "x" }),
    "non-breaking",
    /request property `language` added \(optional\)/,
  ],
  ["a widened enum", (s) => schemas(s).CrmSystem.enum.push("Pipedrive"), "non-breaking", /system`: enum value "Pipedrive" added/],
  [
    "a widened request type",
    (s) => (schemas(s).ContentSharedEvent.properties.contentId.type = ["string", "null"]),
    "non-breaking",
    /contentId`: type string -> string\|null/,
  ],
  [
    "a newly documented status",
    (s) => (s.paths[SHARED].put.responses["503"] = s.components.responses.InternalServerError),
    "non-breaking",
    /status 503 newly documented/,
  ],
  ["a request field no longer required", (s) => schemas(s).ContentViewedEvent.required.pop(), "non-breaking", /`contentTitle` no longer required/],
  [
    "a looser limit on a request field",
    (s) => (schemas(s).ContentSharedEvent.properties.contentTitle.maxLength = 200),
    "non-breaking",
    /contentTitle`: maxLength 80 -> 200/,
    (s) => (schemas(s).ContentSharedEvent.properties.contentTitle.maxLength = 80),
  ],
  [
    "a new operation",
    (s) => (s.paths["/v2/customer-engagement/content/downloaded"] = { put: { ...s.paths[SHARED].put, operationId: "reportContentDownloaded" } }),
    "non-breaking",
    /operation PUT \/v2\/customer-engagement\/content\/downloaded added/,
  ],
  ["a new OAuth scope", (s) => (scopes(s)["api:calls:create"] = "Upload calls."), "non-breaking", /OAuth scope api:calls:create \(OAuth2\) added/],
  [
    "a header's schema promising a format",
    (s) => (s.components.headers["Retry-After"].schema.format = "int32"),
    "non-breaking",
    /status 429: header Retry-After: format null -> "int32"/,
    (s) => delete s.components.headers["Retry-After"].schema.format,
  ],
  // docs-only
  [
    "an OAuth scope's text",
    (s) => (scopes(s)["api:engagement-data:write"] += " More."),
    "docs-only",
    /description of OAuth scope api:engagement-data:write \(OAuth2\) changed/,
  ],
  [
    "items described on an array that took any items",
    (s) => (schemas(s).ContextField.properties.value.anyOf[1].items = { description: "Any JSON value." }),
    "docs-only",
    /items of `.*value` added \(annotations only/,
    (s) => delete schemas(s).ContextField.properties.value.anyOf[1].items,
  ],
  [
    "a description",
    (s) => (schemas(s).ContentSharedEvent.properties.contentTitle.description += " Shown in Gong."),
    "docs-only",
    /description of `contentTitle` changed/,
  ],
  ["a summary", (s) => (s.paths[VIEWED].put.summary = "Report a content view"), "docs-only", /summary changed/],
  ["a schema example", (s) => (schemas(s).ContentSharedEvent.properties.contentId.example = "doc_1"), "docs-only", /example of `contentId` changed/],
  [
    "a named request example",
    (s) => (s.components.examples.ContentSharedEventMinimal.value.contentTitle = "Other"),
    "docs-only",
    /example ContentSharedEventMinimal changed/,
  ],
  ["info.version alone", (s) => (s.info.version = "2.1.0"), "docs-only", /info\.version/],
];

describe("spec:diff classifies each kind of change", () => {
  for (const [name, change, kind, what, setup] of pairs) {
    it(`${name}: ${kind}`, () => {
      const before = structuredClone(spec);
      setup?.(before);
      const after = structuredClone(before);
      change(after);
      const { changes } = compareSpecs(before, after);
      expect(changes.length, "the change is found").toBeGreaterThan(0);
      expect(
        changes.map((c) => c.kind),
        JSON.stringify(changes, null, 1),
      ).toEqual(changes.map(() => kind));
      expect(changes.map((c) => c.what).join("\n")).toMatch(what);
      for (const c of changes) {
        expect(c.pointer).toMatch(/^#\//);
        if (c.pointer.startsWith("#/paths/~1v2")) expect(c.operation).toMatch(/^(report\w+ \((PUT|POST) \/v2\/|\/v2\/)/);
      }
    });
  }

  it("adding POST /v2/digital-interaction (path, schemas, examples, tag, scope) breaks no sender", () => {
    const before = structuredClone(spec);
    withoutDigitalInteraction(before);
    const result = compareSpecs(before, spec);
    const line = (c: { kind: string; what: string }) => `${c.kind}: ${c.what}`;
    expect(result.changes.filter((c) => c.kind === "breaking").map(line)).toEqual([]);
    expect(
      result.changes
        .filter((c) => c.kind === "non-breaking")
        .map(line)
        .sort(),
    ).toEqual(["non-breaking: OAuth scope api:digital-interactions:write (OAuth2) added", "non-breaking: operation POST /v2/digital-interaction added"]);
    expect(result.changes.filter((c) => c.kind === "docs-only").map((c) => c.what)).toContain("example DigitalInteractionKnownPerson added");
    expect(gate(result).ok).toBe(true);
  });

  it("the same spec has no changes", () => {
    expect(compareSpecs(spec, structuredClone(spec)).changes).toEqual([]);
  });

  it("a shared component's change is listed under every operation that uses it", () => {
    const after = structuredClone(spec);
    after.components.schemas.Actor.required = ["name"];
    const operations = new Set(compareSpecs(spec, after).changes.map((c) => c.operation.split(" ")[0]));
    expect([...operations].sort()).toEqual(["reportContentShared", "reportContentViewed"]);
  });
});

describe("the gate", () => {
  const breakingChange = (version: string) => {
    const after = structuredClone(spec);
    after.components.schemas.ContentSharedEvent.required.push("shareId");
    after.info.version = version;
    return compareSpecs(spec, after);
  };

  it("refuses a breaking change under the same major version, naming the version to move to", () => {
    const verdict = gate(breakingChange("2.1.0"));
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/1 breaking change\(s\) need a new major info.version \(2.0.0 -> 3.0.0\)/);
  });

  it("lets a breaking change through with a new major version", () => {
    expect(gate(breakingChange("3.0.0"))).toMatchObject({ ok: true, majorBumped: true });
  });

  it("lets non-breaking and docs-only changes through", () => {
    const after = structuredClone(spec);
    after.components.schemas.CrmSystem.enum.push("Pipedrive");
    after.info.description += " More.";
    expect(gate(compareSpecs(spec, after)).ok).toBe(true);
  });

  it("prints the changelog grouped by kind, as text and as Markdown", () => {
    const after = structuredClone(spec);
    after.components.schemas.ContentSharedEvent.required.push("shareId");
    after.components.schemas.CrmSystem.enum.push("Pipedrive");
    after.paths[SHARED].put.summary = "Shared";
    const result = compareSpecs(spec, after);
    const text = formatText(result, "title");
    expect(text.indexOf("Breaking (1):")).toBeLessThan(text.indexOf("Non-breaking ("));
    expect(text.indexOf("Non-breaking (")).toBeLessThan(text.indexOf("Docs-only (1):"));
    const markdown = formatMarkdown(result, "title");
    expect(markdown).toMatch(/### Breaking \(1\)\n\n\| operation \| change \| where \|/);
    expect(markdown).toMatch(/❌ 1 breaking change/);
  });
});

describe("pnpm spec:diff", () => {
  const cli = fileURLToPath(new URL("../scripts/spec-diff.mjs", import.meta.url));
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [cli, ...args], { encoding: "utf8" }).then(
      (r) => ({ code: 0, ...r }),
      (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
    );

  it('prints "no changes" and exits 0 for a ref against itself, and writes the Markdown when asked', async () => {
    const markdown = join(mkdtempSync(join(tmpdir(), "spec-diff-test-")), "changes.md");
    const { code, stdout } = await run(["--base", "HEAD", "--head", "HEAD", "--markdown", markdown]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/no changes/);
    expect(readFileSync(markdown, "utf8")).toMatch(/\*\*no changes\*\*/);
  }, 30_000);

  it("names a ref that does not exist, with exit code 2", async () => {
    const { code, stderr } = await run(["--base", "no-such-ref-anywhere"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"no-such-ref-anywhere" is not a git ref/);
  }, 30_000);
});
