// The client runs anywhere fetch does: its browser bundle builds without Node built-ins and uses no Buffer.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("portability", () => {
  it("bundles for the browser with no Node built-in and no Buffer", async () => {
    const result = await build({
      entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((name) => name.startsWith("node:"))).toBe(false);
    const code = new TextDecoder().decode(result.outputFiles[0]!.contents);
    expect(code).not.toMatch(/\bBuffer\./);
    // A call of require; Ajv's helpers carry their own source text, e.g. the string
    // 'require("ajv/dist/runtime/ucs2length").default', which is not a call.
    expect(code).not.toMatch(/(?:^|[^\w$'"`.])require\(/m);
  });
});
