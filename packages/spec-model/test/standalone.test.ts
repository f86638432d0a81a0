import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatIssues, loadSpecModel, resolveRef, standaloneValidatorsCode, standaloneValidatorsTypes } from "../src/index.js";
import { withoutAnnotations } from "../src/standalone.js";
import { eventsPath } from "./fixtures.js";

// The code imports Ajv's run-time helpers: it must sit where this package's node_modules resolve them.
const scratch = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".scratch-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Validator = ((data: unknown) => boolean) & { errors?: Parameters<typeof formatIssues>[0] };

async function importCode(code: string, name: string): Promise<Record<string, Validator>> {
  const file = join(scratch, `${name}.mjs`);
  writeFileSync(file, code);
  return import(pathToFileURL(file).href);
}

describe("standaloneValidatorsCode", () => {
  const model = loadSpecModel(eventsPath);
  const code = standaloneValidatorsCode(model);

  it("is ESM with imports (no require), no annotations, and the same for the same spec", () => {
    expect(code).not.toMatch(/require\(/);
    expect(code).toMatch(/^import runtime0_ from "ajv/);
    expect(code).not.toContain("a field named title");
    expect(standaloneValidatorsCode(loadSpecModel(eventsPath))).toBe(code);
  });

  it("exports one validator per operation that agrees with the model's validator, issues included", async () => {
    const validators = await importCode(code, "fixture");
    expect(Object.keys(validators).sort()).toEqual(["reportAlpha", "reportBeta", "reportGamma"]);
    const bodies = [
      { source: "s", at: "2024-02-29T10:00:00Z" },
      { source: "s", at: "2023-02-29T10:00:00Z" },
      { source: "", at: "now", link: "https://example.com/提案" },
      { id: "g", color: "RED", title: 5 },
      { id: "g", color: "RED", person: { email: "a@example.com" }, trackingId: "t" },
      { id: "g", color: "RED", value: 3, target: {} },
      "text",
    ];
    let compared = 0;
    for (const op of model.operations) {
      const validate = validators[op.operationId]!;
      for (const body of bodies) {
        const valid = validate(body);
        expect(valid ? [] : formatIssues(validate.errors), `${op.operationId} ${JSON.stringify(body)}`).toEqual(op.validateRequest(body));
        compared++;
      }
    }
    expect(compared).toBe(21);
  });

  it("runs in plain Node too (Ajv's CommonJS helpers imported either way)", async () => {
    await importCode(code, "plain");
    const script = `const v = await import(${JSON.stringify(pathToFileURL(join(scratch, "plain.mjs")).href)});
      console.log(JSON.stringify([v.reportAlpha({ source: "", at: "2024-02-29T10:00:00Z" }), v.reportAlpha.errors[0].keyword, v.reportBeta({ source: "s", at: "2024-02-30T10:00:00Z" })]));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual([false, "minLength", false]);
  });

  it("validates the real bundle's operations like the model does", async () => {
    const bundle = loadSpecModel();
    const validators = await importCode(standaloneValidatorsCode(bundle), "bundle");
    for (const op of bundle.operations) {
      for (const example of Object.values(op.examples)) expect(validators[op.operationId]!(example)).toBe(true);
      // February 30 in the operation's first date-time field: a format only the full check refuses.
      const schema = resolveRef(bundle.document, { $ref: op.requestSchemaRef }) as { properties: Record<string, unknown> };
      const dateField = Object.keys(schema.properties).find(
        (name) => (resolveRef(bundle.document, schema.properties[name]) as { format?: string }).format === "date-time",
      );
      expect(dateField, op.operationId).toBeDefined();
      const broken = { ...(Object.values(op.examples)[0] as object), [dateField!]: "2021-02-30T00:00:00Z" };
      expect(validators[op.operationId]!(broken)).toBe(false);
      expect(formatIssues(validators[op.operationId]!.errors)).toEqual(op.validateRequest(broken));
    }
  });
});

describe("standaloneValidatorsTypes", () => {
  it("declares each export", () => {
    expect(standaloneValidatorsTypes(loadSpecModel(eventsPath)).split("\n").filter(Boolean)).toEqual(
      ["reportAlpha", "reportBeta", "reportGamma"].map(
        (id) => `export declare const ${id}: ((data: unknown) => boolean) & { errors?: import("ajv").ErrorObject[] | null };`,
      ),
    );
  });
});

describe("withoutAnnotations", () => {
  it("drops descriptions, examples and titles, but keeps fields that carry those names", () => {
    expect(
      withoutAnnotations({
        title: "T",
        description: "D",
        example: 1,
        properties: { title: { type: "string", description: "x" }, description: { type: "string" } },
        items: [{ examples: [1], type: "integer" }],
      }),
    ).toEqual({ properties: { title: { type: "string" }, description: { type: "string" } }, items: [{ type: "integer" }] });
  });
});
