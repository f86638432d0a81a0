// validateEvent: one readable issue per failing field, with the field as a path into the event and the problem
// in words a caller can act on (the schemas are the spec's, through the generated validators).
import { describe, expect, it } from "vitest";
import { validateEvent } from "../src/index.js";
import { digitalInteraction, sharedEvent, viewedEvent } from "./events.js";

describe("validateEvent", () => {
  it("a valid event has no issues", () => {
    expect(validateEvent("reportContentShared", sharedEvent())).toEqual([]);
    expect(validateEvent("reportContentViewed", viewedEvent())).toEqual([]);
  });

  it.each([
    ["a missing field", (e: Record<string, unknown>) => delete e.contentTitle, { field: "contentTitle", problem: "is required" }],
    ["a wrong type", (e: Record<string, unknown>) => (e.contentTitle = 7), { field: "contentTitle", problem: "must be a string" }],
    ["an object that is not one", (e: Record<string, unknown>) => (e.viewer = "x"), { field: "viewer", problem: "must be an object" }],
    [
      "an unknown enum value",
      (e: Record<string, unknown>) => (e.agentPlatform = "BeOS"),
      { field: "agentPlatform", problem: 'must be one of: "Windows", "Linux", "MacOS", "iOS", "Android"' },
    ],
    [
      "an impossible date",
      (e: Record<string, unknown>) => (e.eventTimestamp = "2021-02-30T08:00:00Z"),
      { field: "eventTimestamp", problem: "must be a real ISO-8601 date-time with a time zone (RFC 3339), e.g. 2021-08-01T08:00:00Z" },
    ],
    ["a URL field that is not text", (e: Record<string, unknown>) => (e.contentUrl = 42), { field: "contentUrl", problem: "must be a string" }],
    [
      "trackingId beside a viewer",
      (e: Record<string, unknown>) => (e.trackingId = "t-1"),
      { field: "trackingId", problem: 'must be absent or null when "viewer" is sent' },
    ],
  ])("names the field and the problem: %s", (_, change, issue) => {
    const event = viewedEvent() as Record<string, unknown>;
    change(event);
    expect(validateEvent("reportContentViewed", event)).toEqual([issue]);
  });

  it("a URL field takes any text, as Gong declares no URL format for it", () => {
    for (const url of ["https://example.com/提案.pdf", "https://example.com/a|b", "/relative/path", "not a url"]) {
      expect(validateEvent("reportContentViewed", { ...viewedEvent(), contentUrl: url }), url).toEqual([]);
    }
  });

  it("takes an operation's alias as well as its operationId; an unknown name is a TypeError naming the choices", () => {
    expect(validateEvent("viewed" as never, viewedEvent())).toEqual([]);
    expect(validateEvent("shared" as never, {}).map((i) => i.field)).toContain("contentTitle");
    for (const name of ["toString", "posted", undefined]) {
      expect(() => validateEvent(name as never, {})).toThrow(/^validateEvent: `operation` must be one of "shared", "viewed"/);
    }
  });

  it("a person that fails inside (a company with neither domain nor business context) is named there, not as 'must be null'", () => {
    const event = digitalInteraction() as { person: { company: Record<string, unknown> } };
    event.person.company = {};
    expect(validateEvent("reportDigitalInteraction", event)).toEqual([{ field: "person.company.companyBusinessContexts", problem: "is required" }]);
  });

  it("paths into arrays and nested objects read like code", () => {
    const event = sharedEvent() as unknown as { recipients: Array<Record<string, unknown>> };
    delete event.recipients[0]!.email;
    expect(validateEvent("reportContentShared", event)).toEqual([{ field: "recipients[0].email", problem: "is required" }]);
  });

  it("the event itself when it is not an object, and one issue per field when many fail", () => {
    expect(validateEvent("reportContentShared", "nope")).toEqual([{ field: "(event)", problem: "must be an object" }]);
    const issues = validateEvent("reportContentShared", {});
    expect(issues.map((i) => i.field).sort()).toEqual(["contentId", "contentTitle", "contentUrl", "eventTimestamp", "reportingSystem"]);
    expect(new Set(issues.map((i) => `${i.field}:${i.problem}`)).size).toBe(issues.length);
  });
});
