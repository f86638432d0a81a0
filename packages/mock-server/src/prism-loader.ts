// Prism's modules, loaded on first use rather than when the mock's modules are imported, so that a flag, a
// variable or a spec the mock cannot use is refused before Prism is read (and `gong-mock --help` never reads it).
//
// Faker is deferred until Prism first uses it. @stoplight/prism-http requires @faker-js/faker at import: every
// locale, some 1,900 files and over half of the time it takes to load Prism (measured: a gong-mock start to its
// banner, 2.3 s of CPU with it, 1.2 s without). Prism uses it only to fill `x-faker` values in dynamic
// responses (`Prefer: dynamic=true`). While Prism's modules load, that one require is answered with a stand-in
// that loads the real faker at its first property access and forwards everything to it; the real faker is the
// same module Prism would have loaded, resolved from the same place. Prism's API offers no other way in.
import Module, { createRequire } from "node:module";
import type { createLogger } from "@stoplight/prism-core";
import type { createInstance, getHttpOperationsFromSpec } from "@stoplight/prism-http";
import type { getHttpConfigFromRequest } from "@stoplight/prism-http-server/dist/getHttpConfigFromRequest.js";

/** The parts of Prism the mock calls. */
export interface Prism {
  createInstance: typeof createInstance;
  getHttpOperationsFromSpec: typeof getHttpOperationsFromSpec;
  getHttpConfigFromRequest: typeof getHttpConfigFromRequest;
  createLogger: typeof createLogger;
}

const require = createRequire(import.meta.url);
let prism: Prism | undefined;

export function loadPrism(): Prism {
  prism ??= withFakerDeferred(() => {
    const http = require("@stoplight/prism-http") as typeof import("@stoplight/prism-http");
    const server = require("@stoplight/prism-http-server/dist/getHttpConfigFromRequest.js") as { getHttpConfigFromRequest: typeof getHttpConfigFromRequest };
    const core = require("@stoplight/prism-core") as typeof import("@stoplight/prism-core");
    return {
      createInstance: http.createInstance,
      getHttpOperationsFromSpec: http.getHttpOperationsFromSpec,
      getHttpConfigFromRequest: server.getHttpConfigFromRequest,
      createLogger: core.createLogger,
    };
  });
  return prism;
}

const FAKER = "@faker-js/faker";
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

/** Runs `load` (synchronous requires only) with `require("@faker-js/faker")` answered by a deferring stand-in. */
function withFakerDeferred<T>(load: () => T): T {
  const original = loader._load;
  // Module._load is Node's own (not a documented API, though unchanged since Node 0.x): without it, load as is.
  if (typeof original !== "function") return load();
  loader._load = function (this: unknown, request, parent, isMain) {
    if (request !== FAKER) return original.call(this, request, parent, isMain);
    return deferredModule(() => original.call(this, request, parent, isMain) as Record<string, unknown>);
  };
  try {
    return load();
  } finally {
    loader._load = original;
  }
}

/** faker's module as Prism reads it (its `default` export, the Faker instance, also exported as `faker`), loaded on first use. */
function deferredModule(loadReal: () => Record<string, unknown>): Record<string, unknown> {
  let real: object | undefined;
  const instance = () => (real ??= loadReal().faker as object);
  const faker = new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(instance(), key),
      set: (_, key, value) => Reflect.set(instance(), key, value),
      has: (_, key) => Reflect.has(instance(), key),
    },
  );
  return { __esModule: true, default: faker, faker };
}
