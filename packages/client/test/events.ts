// Events for the tests, taken from the spec's own named examples (never restated here).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ContentSharedEvent, ContentViewedEvent } from "../src/index.js";

const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@gong-engage/spec/openapi.json"), "utf8"));

export const sharedEvent = (): ContentSharedEvent => structuredClone(spec.components.examples.ContentSharedEventFull.value);
export const minimalSharedEvent = (): ContentSharedEvent => structuredClone(spec.components.examples.ContentSharedEventMinimal.value);
export const viewedEvent = (): ContentViewedEvent => structuredClone(spec.components.examples.ContentViewedEventKnownViewer.value);
export const digitalInteraction = (): Record<string, unknown> => structuredClone(spec.components.examples.DigitalInteractionKnownPerson.value);
