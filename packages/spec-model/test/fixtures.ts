// The small fixture specs the tests load, and a fresh copy of one to break.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const eventsPath = fileURLToPath(new URL("./fixtures/events.json", import.meta.url));

export type Doc = any;

/** A fresh, editable copy of fixtures/events.json. */
export function eventsDoc(): Doc {
  return JSON.parse(readFileSync(eventsPath, "utf8"));
}
