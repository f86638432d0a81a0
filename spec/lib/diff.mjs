// Classifies the changes between two bundled specs from the point of view of an app that SENDS events (and
// reads the answers). api-smart-diff finds the changes (with refs resolved, each under the operation it
// affects); the rule table below decides what each one means for a sender, first matching rule wins:
//
//   request side   new required field, removed property, removed or new enum (value), narrower or other type,
//                  a format, pattern, length/range limit or other validation keyword added or tightened,
//                  additionalProperties: false, a removed content type ......................... breaking
//                  new optional field, widened enum or type, a limit loosened or removed ........ non-breaking
//   response side  removed status, removed header, removed property, a property no longer required,
//                  a changed type or format, a removed content type ............................... breaking
//                  new status, new header, new property, a property now required ............. non-breaking
//   operations     removed operation or security scheme/requirement/scope ....................... breaking
//                  new operation, alternative or scope ...................................... non-breaking
//   docs           description, summary, title, example(s), tags, info (version included), an OAuth
//                  scope's text, a subschema with annotations only ......................... docs-only
//   anything else  api-smart-diff's own classification (unclassified: non-breaking, marked for review)
import { apiCompare } from "api-smart-diff";
import semver from "semver";

export const BREAKING = "breaking";
export const NON_BREAKING = "non-breaking";
export const DOCS_ONLY = "docs-only";
export const KINDS = [BREAKING, NON_BREAKING, DOCS_ONLY];

const ANNOTATIONS = new Set(["description", "summary", "title", "example", "examples", "externalDocs", "$comment"]);
const REQUEST_CONSTRAINTS = new Set([
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "dependentSchemas",
  "dependentRequired",
  "not",
  "const",
  "if",
  "then",
  "else",
  "contentEncoding",
  "contentMediaType",
]);
// Components are reported where they are used (under each operation); these copies would repeat them.
const MIRRORED_COMPONENTS = new Set(["schemas", "responses", "headers", "requestBodies", "parameters", "pathItems"]);
const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);

/**
 * @typedef {object} Change
 * @property {"breaking" | "non-breaking" | "docs-only"} kind
 * @property {string} operation  e.g. "reportContentShared (PUT /v2/customer-engagement/content/shared)", or "(document)"
 * @property {string} pointer    JSON pointer into the bundled spec, e.g. "#/paths/~1v2~1.../put/responses/409"
 * @property {string} what       the change, in words
 */

/** @returns {{ before: string | undefined, after: string | undefined, changes: Change[] }} */
export function compareSpecs(before, after) {
  // api-smart-diff normalises the documents it is given in place (e.g. adds empty enum lists): give it copies.
  const { diffs } = apiCompare(structuredClone(before), structuredClone(after));
  const seen = new Set();
  const changes = [];
  for (const diff of diffs) {
    if (!isReported(diff.path)) continue;
    const change = classify(diff, before, after);
    const key = `${change.kind} ${change.pointer} ${change.what}`;
    if (!seen.has(key)) {
      seen.add(key);
      changes.push(change);
    }
  }
  changes.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.operation.localeCompare(b.operation) || a.pointer.localeCompare(b.pointer));
  return { before: before?.info?.version, after: after?.info?.version, changes };
}

function isReported(path) {
  return !(path[0] === "components" && MIRRORED_COMPONENTS.has(String(path[1])));
}

/** What a diff means for a sender, by the rule table at the top of this file. */
function classify(diff, beforeDoc, afterDoc) {
  const c = context(diff, beforeDoc, afterDoc);
  const verdict = (kind, what) => ({ kind, operation: c.operation, pointer: c.pointer, what });
  const { side, keyword, parent, action, field, inSchema } = c;
  const added = action === "add";
  const removed = action === "remove";
  const change = `${JSON.stringify(diff.before ?? null)} -> ${JSON.stringify(diff.after ?? null)}`;

  // Properties come first: a property may be called "title" or "description".
  if (inSchema && parent === "properties" && !c.isIndex) {
    const target = `${side === "request" ? "request" : `status ${c.status}`} property \`${joinField(field, keyword)}\``;
    if (removed) return verdict(BREAKING, `${target} removed`);
    if (added) {
      const required = nodeAt(afterDoc, c.path.slice(0, -2))?.required;
      const optional = !(Array.isArray(required) && required.includes(keyword));
      return verdict(NON_BREAKING, `${target} added${side === "request" && optional ? " (optional)" : ""}`);
    }
  }

  // Documentation.
  if (ANNOTATIONS.has(keyword) || keyword.startsWith("x-") || c.path[0] === "tags" || c.path[0] === "info") {
    const of = c.path[0] === "info" ? ` (info.${c.path.slice(1).join(".")})` : field ? ` of \`${field}\`` : "";
    return verdict(DOCS_ONLY, `${keyword}${of} ${verb(action)}`);
  }
  if (c.path[0] === "components" && c.path[1] === "examples") return verdict(DOCS_ONLY, `example ${c.path[2]} ${verb(action)}`);

  // A subschema that only describes (no validation keyword), e.g. `items: { description }` on an array that
  // already took any items: nothing a sender sends is judged differently.
  if (inSchema && (added || removed) && isAnnotationOnly(added ? diff.after : diff.before)) {
    return verdict(DOCS_ONLY, `${keyword}${field ? ` of \`${field}\`` : ""} ${verb(action)} (annotations only, accepts the same values)`);
  }

  // Operations, security, servers.
  if (c.path[0] === "paths" && c.path.length === 2) {
    return verdict(removed ? BREAKING : NON_BREAKING, `path ${c.path[1]} ${verb(action)}`);
  }
  if (c.path[0] === "paths" && c.path.length === 3 && METHODS.has(c.path[2])) {
    return verdict(removed ? BREAKING : NON_BREAKING, `operation ${c.path[2].toUpperCase()} ${c.path[1]} ${verb(action)}`);
  }
  // An OAuth scope's text (the value under flows.<flow>.scopes) is its description.
  if (c.path[0] === "components" && c.path[1] === "securitySchemes" && c.path[c.path.length - 2] === "scopes") {
    const scope = `OAuth scope ${c.path[c.path.length - 1]} (${c.path[2]})`;
    if (action === "replace") return verdict(DOCS_ONLY, `description of ${scope} changed`);
    return verdict(added ? NON_BREAKING : BREAKING, `${scope} ${verb(action)}`);
  }
  if (c.path.includes("security") || (c.path[0] === "components" && c.path[1] === "securitySchemes")) {
    const what = `security ${verb(action)}: ${c.path.slice(Math.max(0, c.path.indexOf("security"))).join(".")}`;
    return verdict(added ? NON_BREAKING : BREAKING, what);
  }

  // Response statuses, headers and content types.
  if (side === "response" && c.path.length === c.responseIndex + 2) {
    const what = `status ${c.status} ${removed ? "no longer documented" : added ? "newly documented" : "changed"}`;
    return verdict(added ? NON_BREAKING : BREAKING, what);
  }
  if (side === "response" && c.path[c.responseIndex + 2] === "headers" && !inSchema) {
    const name = c.path[c.responseIndex + 3] ?? Object.keys(diff.before ?? diff.after ?? {}).join(", ");
    if (c.path.length <= c.responseIndex + 4) {
      if (removed) return verdict(BREAKING, `status ${c.status}: header ${name} removed`);
      if (added) return verdict(NON_BREAKING, `status ${c.status}: header ${name} added`);
    } else if (c.path[c.responseIndex + 4] === "schema" && keyword === "format") {
      // A format the answer's header now promises (added) narrows what a sender receives; dropping one widens it.
      const what = `status ${c.status}: header ${name}: format ${change}`;
      return verdict(added ? NON_BREAKING : BREAKING, what);
    }
  }
  if (!inSchema && c.contentTypeIndex !== undefined && c.path.length === c.contentTypeIndex + 1) {
    const where = side === "request" ? "request body" : `status ${c.status}`;
    return verdict(added ? NON_BREAKING : BREAKING, `${where}: content type ${c.path[c.contentTypeIndex]} ${verb(action)}`);
  }

  // Schema keywords.
  if (inSchema) {
    const subject = `${side === "request" ? "request field" : `status ${c.status} field`} \`${field || "(body)"}\``;
    if (keyword === "required") {
      const names = [diff.before, diff.after].flat().filter((v) => typeof v === "string");
      const target = `\`${names.map((n) => joinField(field, n)).join(", ")}\``;
      if (side === "request") {
        return verdict(removed ? NON_BREAKING : BREAKING, removed ? `request field ${target} no longer required` : `new required request field ${target}`);
      }
      return verdict(
        added ? NON_BREAKING : BREAKING,
        added ? `status ${c.status} field ${target} now always present` : `status ${c.status} field ${target} may now be absent`,
      );
    }
    if (keyword === "enum") {
      // enum/<n>: one value added or removed; enum itself: a list introduced or dropped.
      // api-smart-diff reports a whole new (or dropped) list as values added (removed): look at the other side.
      const listBefore = Array.isArray(nodeAt(beforeDoc, c.isIndex ? c.path.slice(0, -1) : c.path));
      const listAfter = Array.isArray(nodeAt(afterDoc, c.isIndex ? c.path.slice(0, -1) : c.path));
      const oneValue = listBefore && listAfter;
      const what = oneValue
        ? `${subject}: enum value ${JSON.stringify(diff.before ?? diff.after)} ${verb(action)}`
        : `${subject}: enum ${listAfter ? "added" : "removed"}`;
      const widens = oneValue ? added : !listAfter;
      if (side === "request") return verdict(widens ? NON_BREAKING : BREAKING, what);
      return verdict(widens ? BREAKING : NON_BREAKING, what);
    }
    if (keyword === "type") {
      const from = typeSet(diff.before);
      const to = typeSet(diff.after);
      const widened = from.size > 0 && [...from].every((t) => to.has(t));
      const narrowed = to.size > 0 && [...to].every((t) => from.has(t));
      const what = `${subject}: type ${describeTypes(from)} -> ${describeTypes(to)}`;
      if (side === "request") return verdict(removed || widened ? NON_BREAKING : BREAKING, what);
      return verdict(narrowed ? NON_BREAKING : BREAKING, what);
    }
    if (keyword === "format") {
      const what = `${subject}: format ${change}`;
      if (side === "request") return verdict(removed ? NON_BREAKING : BREAKING, what);
      return verdict(added ? NON_BREAKING : BREAKING, what);
    }
    if (keyword === "additionalProperties" && side === "request") {
      return verdict(diff.after === false ? BREAKING : NON_BREAKING, `${subject}: additionalProperties ${change}`);
    }
    if (REQUEST_CONSTRAINTS.has(keyword) && side === "request") {
      const what = `${subject}: ${keyword} ${change}`;
      if (removed) return verdict(NON_BREAKING, what);
      if (action === "replace" && typeof diff.before === "number" && typeof diff.after === "number") {
        const looser = /^(max|exclusiveMax)/.test(keyword) ? diff.after > diff.before : /^(min|exclusiveMin)/.test(keyword) ? diff.after < diff.before : false;
        return verdict(looser ? NON_BREAKING : BREAKING, what);
      }
      return verdict(BREAKING, what);
    }
  }

  // Everything else: the library's own verdict.
  const description = diff.description?.replace(/^\[\w+\]\s*/, "").trim() || `${c.path.slice(-2).join(".")} ${verb(action)}`;
  switch (diff.type) {
    case "breaking":
      return verdict(BREAKING, description);
    case "annotation":
      return verdict(DOCS_ONLY, description);
    case "non-breaking":
    case "deprecated":
      return verdict(NON_BREAKING, description);
    default:
      return verdict(NON_BREAKING, `${description} (not classified by api-smart-diff: review it)`);
  }
}

/** Where a diff sits: operation, request or response side, the keyword changed and the field it belongs to. */
function context(diff, beforeDoc, afterDoc) {
  const path = diff.path.map(String);
  const pointer = `#/${path.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`;
  let operation = "(document)";
  if (path[0] === "paths" && path[1]) {
    const method = path[2];
    const op = method && METHODS.has(method) ? (afterDoc?.paths?.[path[1]]?.[method] ?? beforeDoc?.paths?.[path[1]]?.[method]) : undefined;
    operation = op ? `${op.operationId ?? method} (${method.toUpperCase()} ${path[1]})` : path[1];
  } else if (path[0] === "components") {
    operation = `(components.${path[1]})`;
  }
  const requestIndex = path.indexOf("requestBody");
  const responseIndex = path.indexOf("responses");
  const side = requestIndex >= 0 ? "request" : responseIndex >= 0 ? "response" : "document";
  const contentIndex = side === "document" ? -1 : path.indexOf("content", side === "request" ? requestIndex : responseIndex);
  const contentTypeIndex = contentIndex >= 0 ? contentIndex + 1 : undefined;
  const schemaIndex = contentTypeIndex !== undefined && path[contentTypeIndex + 1] === "schema" ? contentTypeIndex + 1 : undefined;
  // An index at the end (enum/3, required/0) means one value of that keyword.
  const isIndex = /^\d+$/.test(path[path.length - 1] ?? "");
  const keyword = isIndex ? path[path.length - 2] : path[path.length - 1];
  const inSchema = schemaIndex !== undefined && path.length > schemaIndex + 1;
  return {
    path,
    pointer,
    operation,
    side,
    action: diff.action,
    status: responseIndex >= 0 ? path[responseIndex + 1] : undefined,
    responseIndex,
    contentTypeIndex,
    inSchema,
    isIndex,
    keyword,
    parent: path[path.length - 2],
    field: inSchema ? fieldOf(path.slice(schemaIndex + 1, isIndex ? -2 : -1)) : "",
  };
}

/** "properties/recipients/items/allOf/0/properties/email" -> "recipients[].email" */
function fieldOf(schemaPath) {
  let field = "";
  for (let i = 0; i < schemaPath.length; i++) {
    const part = schemaPath[i];
    if (part === "properties" && schemaPath[i + 1] !== undefined) {
      field = joinField(field, schemaPath[++i]);
    } else if (part === "items") {
      field += "[]";
    } else if (["allOf", "anyOf", "oneOf"].includes(part)) {
      i++;
    } else if (part === "additionalProperties") {
      field += "{*}";
    } else if (part === "dependentSchemas") {
      i++;
    }
  }
  return field;
}

function joinField(base, name) {
  return base ? `${base}.${name}` : String(name);
}

/** Follows a JSON path through a document, resolving local $refs on the way (api-smart-diff's paths are resolved). */
function nodeAt(doc, path) {
  let node = doc;
  for (const part of path) {
    node = resolveRef(doc, node);
    if (node === undefined || node === null) return undefined;
    node = node[part];
  }
  return resolveRef(doc, node);
}

function resolveRef(doc, node) {
  let current = node;
  for (let hops = 0; current && typeof current === "object" && typeof current.$ref === "string" && hops < 32; hops++) {
    current = current.$ref
      .slice(2)
      .split("/")
      .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return current;
}

/** Whether a schema added or removed says nothing a validator checks (only descriptions, examples, ...). */
function isAnnotationOnly(schema) {
  return !!schema && typeof schema === "object" && !Array.isArray(schema) && Object.keys(schema).every((key) => ANNOTATIONS.has(key));
}

function typeSet(value) {
  return new Set(value === undefined ? [] : [value].flat().map(String));
}

function describeTypes(types) {
  return types.size ? [...types].join("|") : "(any)";
}

function verb(action) {
  return { add: "added", remove: "removed", replace: "changed", rename: "renamed" }[action] ?? action;
}

/**
 * Whether the change set may land: no breaking change, or a new major info.version.
 * @returns {{ ok: boolean, breaking: number, majorBumped: boolean, reason: string }}
 */
export function gate(result) {
  const breaking = result.changes.filter((c) => c.kind === BREAKING).length;
  const before = semver.coerce(result.before);
  const after = semver.coerce(result.after);
  const majorBumped = !!before && !!after && after.major > before.major;
  if (!breaking) return { ok: true, breaking, majorBumped, reason: "no breaking change" };
  if (majorBumped) return { ok: true, breaking, majorBumped, reason: `breaking changes with a new major info.version (${result.before} -> ${result.after})` };
  const next = before ? `${before.major + 1}.0.0` : "a new major version";
  return {
    ok: false,
    breaking,
    majorBumped,
    reason: `${breaking} breaking change(s) need a new major info.version (${result.before} -> ${next}), or a change that keeps existing senders working`,
  };
}

export function summaryLine(result) {
  const count = (kind) => result.changes.filter((c) => c.kind === kind).length;
  if (!result.changes.length) return "no changes";
  return `${count(BREAKING)} breaking, ${count(NON_BREAKING)} non-breaking, ${count(DOCS_ONLY)} docs-only`;
}

/** The changelog as plain text, grouped by kind. */
export function formatText(result, title) {
  const lines = [title, `info.version ${result.before ?? "(none)"} -> ${result.after ?? "(none)"}`, ""];
  if (!result.changes.length) return [...lines, "no changes"].join("\n");
  for (const kind of KINDS) {
    const changes = result.changes.filter((c) => c.kind === kind);
    if (!changes.length) continue;
    lines.push(`${kind[0].toUpperCase()}${kind.slice(1)} (${changes.length}):`);
    for (const change of changes) lines.push(`  ${change.operation}: ${change.what}`, `      ${change.pointer}`);
    lines.push("");
  }
  lines.push(summaryLine(result));
  return lines.join("\n");
}

/** The changelog as Markdown (for a pull request's step summary or a file). */
export function formatMarkdown(result, title) {
  const escapeCell = (text) => String(text).replace(/\|/g, "\\|");
  const lines = [`## ${title}`, "", `\`info.version\` ${result.before ?? "(none)"} → ${result.after ?? "(none)"}: **${summaryLine(result)}**`, ""];
  for (const kind of KINDS) {
    const changes = result.changes.filter((c) => c.kind === kind);
    if (!changes.length) continue;
    lines.push(`### ${kind[0].toUpperCase()}${kind.slice(1)} (${changes.length})`, "", "| operation | change | where |", "| --- | --- | --- |");
    for (const change of changes) lines.push(`| ${escapeCell(change.operation)} | ${escapeCell(change.what)} | \`${escapeCell(change.pointer)}\` |`);
    lines.push("");
  }
  const verdict = gate(result);
  lines.push(verdict.ok ? `✅ ${verdict.reason}` : `❌ ${verdict.reason}`, "");
  return lines.join("\n");
}
