// Type-level tests: the client's event and result types follow the spec (through the generated types). They run
// in `pnpm typecheck` (tsc): a failing assertion is a compile error; vitest does not run this file.
import { describe, expectTypeOf, it } from "vitest";
import type { ContentSharedEvent, ContentViewedEvent, components, EngagementClient, ReportManyItem, ReportResult } from "../src/index.js";

describe("types generated from the spec", () => {
  it("the required fields are required, the rest optional", () => {
    expectTypeOf<ContentSharedEvent["reportingSystem"]>().toEqualTypeOf<string>();
    expectTypeOf<ContentSharedEvent["contentUrl"]>().toEqualTypeOf<string>();
    expectTypeOf<ContentSharedEvent>().toHaveProperty("eventId");
    expectTypeOf<{ reportingSystem: string }>().not.toMatchTypeOf<ContentSharedEvent>();
    expectTypeOf<ContentViewedEvent["eventId"]>().toEqualTypeOf<string | undefined>();
  });

  it("enums are unions", () => {
    expectTypeOf<components["schemas"]["CrmSystem"]>().toEqualTypeOf<"Salesforce" | "HubSpot" | "MicrosoftDynamic" | "Generic">();
    expectTypeOf<NonNullable<ContentViewedEvent["agentPlatform"]>>().toEqualTypeOf<"Windows" | "Linux" | "MacOS" | "iOS" | "Android">();
    expectTypeOf<components["schemas"]["GenericProperty"]["dataType"]>().toEqualTypeOf<"number" | "string" | "url" | "date">();
  });

  it("a view's trackingId may be null; a recipient's email is required", () => {
    expectTypeOf<ContentViewedEvent["trackingId"]>().toEqualTypeOf<string | null | undefined>();
    type Recipient = NonNullable<ContentSharedEvent["recipients"]>[number];
    expectTypeOf<Recipient["email"]>().toEqualTypeOf<string>();
  });

  it("int64 is bigint, in the generated response and in the result", () => {
    expectTypeOf<components["schemas"]["EventReportedResponse"]["integrationId"]>().toEqualTypeOf<bigint>();
    expectTypeOf<Extract<ReportResult<"reportContentShared">, { alreadyReported: false }>["integrationId"]>().toEqualTypeOf<bigint>();
    // An operation whose answer carries no id for the event (x-gong-event without resultIdField).
    // It never carries one (optional `undefined`), so code that reads `integrationId` from any operation's result
    // (an unparameterised ReportResult, as apps wrote before the spec gained such an operation) still compiles.
    expectTypeOf<Extract<ReportResult<"reportDigitalInteraction">, { alreadyReported: false }>["integrationId"]>().toEqualTypeOf<undefined>();
    expectTypeOf<ReportResult["integrationId"]>().toEqualTypeOf<bigint | undefined>();
    expectTypeOf<EngagementClient["reportDigitalInteraction"]>().returns.resolves.toEqualTypeOf<ReportResult<"reportDigitalInteraction">>();
    expectTypeOf<ReportResult["requestId"]>().toEqualTypeOf<string>();
  });

  it("the methods take the generated request types", () => {
    expectTypeOf<EngagementClient["reportContentShared"]>().parameter(0).toEqualTypeOf<ContentSharedEvent>();
    expectTypeOf<EngagementClient["reportContentViewed"]>().parameter(0).toEqualTypeOf<ContentViewedEvent>();
    expectTypeOf<EngagementClient["reportContentShared"]>().returns.resolves.toEqualTypeOf<ReportResult<"reportContentShared">>();
  });

  it("report() takes an alias or an operationId and the event of that operation", () => {
    const calls = (gong: EngagementClient) => {
      expectTypeOf(gong.report("shared", {} as ContentSharedEvent)).resolves.toEqualTypeOf<ReportResult<"reportContentShared">>();
      expectTypeOf(gong.report("reportContentViewed", {} as ContentViewedEvent)).resolves.toEqualTypeOf<ReportResult<"reportContentViewed">>();
      // @ts-expect-error: not an operation of the spec
      void gong.report("posted", {} as ContentSharedEvent);
      // @ts-expect-error: a viewed event is not a shared one
      void gong.report("shared", {} as ContentViewedEvent);
    };
    expectTypeOf(calls).toBeFunction();
    expectTypeOf<ReportManyItem["operation"]>().toEqualTypeOf<
      "shared" | "viewed" | "digital-interaction" | "reportContentShared" | "reportContentViewed" | "reportDigitalInteraction"
    >();
  });
});
