// ./runtime ships to browsers inside the client: it must not need any Node built-in.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = (name: string) => fileURLToPath(new URL(`../src/${name}`, import.meta.url));

async function bundleForBrowser(file: string): Promise<{ errors: string[]; code: string }> {
  try {
    const result = await build({ entryPoints: [file], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "silent" });
    return { errors: [], code: result.outputFiles[0]!.text };
  } catch (error) {
    return { errors: (error as { errors: Array<{ text: string }> }).errors.map((e) => e.text), code: "" };
  }
}

describe("@gong-engage/spec-model/runtime in a browser", () => {
  it("bundles for the browser platform with no Node built-in", async () => {
    const { errors, code } = await bundleForBrowser(entry("runtime.ts"));
    expect(errors).toEqual([]);
    expect(code).not.toMatch(/from\s*["']node:|require\(["'](node:)?(fs|path|url|module|os)["']\)/);
    expect(code).toContain("parseRetryAfter");
  });

  it("(the check can fail: the Node entry point does not bundle for the browser)", async () => {
    const { errors } = await bundleForBrowser(entry("index.ts"));
    expect(errors.join("\n")).toMatch(/node:(fs|module|url)/);
  });
});
