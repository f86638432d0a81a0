// Importing the package reads nothing: the spec is read only when loadSpecModel is called (so a CLI flag can
// choose the spec, and a test can hand it a fixture).
import { describe, expect, it, vi } from "vitest";

const reads = vi.hoisted(() => [] as string[]);
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    readFileSync: ((path: string, ...rest: unknown[]) => {
      reads.push(String(path));
      return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof fs.readFileSync,
  };
});

describe("import time", () => {
  it("reads no file until loadSpecModel is called", async () => {
    // The files of this package share a module registry (isolate: false): load this one afresh, under the mock.
    vi.resetModules();
    const specModel = await import("../src/index.js");
    expect(reads).toEqual([]);
    specModel.loadSpecModel();
    expect(reads).toEqual([specModel.bundledSpecPath()]);
  });
});
