// Loads the bundled spec (spec/dist, written by `pnpm bundle`) for the spec's own tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const bundlePath = fileURLToPath(new URL("../dist/openapi.json", import.meta.url));
export const bundleText = readFileSync(bundlePath, "utf8");
export const spec: any = JSON.parse(bundleText);

export const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op })),
);
