// Follows local `$ref`s ("#/components/schemas/Actor") inside a document, with a guard against loops.
import { SpecModelError } from "./errors.js";

/**
 * `node` with its `$ref` chain followed to the node it names (any other value is returned as it is). Throws
 * SpecModelError for a `$ref` that is not local, names nothing, or loops back on itself.
 */
export function resolveRef(document: unknown, node: unknown, path = "(document)"): unknown {
  let current = node;
  const seen = new Set<string>();
  while (current && typeof current === "object" && typeof (current as { $ref?: unknown }).$ref === "string") {
    const ref = (current as { $ref: string }).$ref;
    if (seen.has(ref)) throw new SpecModelError(path, `$ref loop: ${[...seen, ref].join(" -> ")}`);
    seen.add(ref);
    current = pointerGet(document, ref, path);
  }
  return current;
}

/** The node at a local JSON pointer ("#/a/b~1c"). */
export function pointerGet(document: unknown, ref: string, path = "(document)"): unknown {
  if (!ref.startsWith("#")) throw new SpecModelError(path, `$ref ${ref} is not local to the document (bundle the spec first)`);
  const segments =
    ref === "#" || ref === "#/"
      ? []
      : ref
          .slice(2)
          .split("/")
          .map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"));
  let at: unknown = document;
  for (const segment of segments) {
    if (!at || typeof at !== "object" || !(segment in at)) throw new SpecModelError(path, `$ref ${ref} names nothing in the document`);
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

/** A JSON pointer ("#/paths/~1v2~1x/put") from its segments. */
export function pointerOf(segments: readonly string[]): string {
  return `#/${segments.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`;
}
