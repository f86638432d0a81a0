import { describe, expect, it } from "vitest";
import { checkResponse, checksFor, loadSpecModel } from "../src/index.js";
import { eventsPath } from "./fixtures.js";

const model = loadSpecModel(eventsPath);
const alpha = model.operation("reportAlpha")!;
const gamma = model.operation("reportGamma")!;
const json = { "content-type": "application/json; charset=utf-8" };
const ok = (text: string, headers: Record<string, string> = json) => checkResponse(alpha, { status: 200, headers, text });

describe("checkResponse", () => {
  it("a documented answer that matches the spec has no findings (Node headers or fetch Headers)", () => {
    expect(ok('{"requestId":"r-1","gongId":9223372036854775807}')).toEqual([]);
    expect(ok('{"requestId":"r-1","gongId":-9223372036854775808}')).toEqual([]);
    expect(
      checkResponse(alpha, {
        status: 429,
        headers: new Headers({ "Content-Type": "application/json", "Retry-After": "3" }),
        text: '{"requestId":"r-2","errors":["slow down"]}',
      }),
    ).toEqual([]);
    expect(checkResponse(gamma, { status: 204, headers: {}, text: "" })).toEqual([]);
  });

  it("a status the operation does not document", () => {
    expect(checkResponse(alpha, { status: 401, headers: json, text: "{}" })).toEqual([
      { check: "status", where: "response.status", problem: "401 is not documented for reportAlpha (documented: 200, 400, 429)" },
    ]);
  });

  it("a content type other than the documented one, or none", () => {
    expect(ok('{"requestId":"r-1","gongId":1}', { "content-type": "text/html" })).toEqual([
      { check: "content-type", where: "response.content-type", problem: '"text/html" instead of application/json' },
    ]);
    expect(ok('{"requestId":"r-1","gongId":1}', {})).toEqual([
      { check: "content-type", where: "response.content-type", problem: '"(none)" instead of application/json' },
    ]);
  });

  it("a body that is not JSON, empty, or invalid against the status's schema", () => {
    expect(ok("<html>oops</html>")).toEqual([{ check: "body", where: "response.body", problem: 'not JSON: "<html>oops</html>"' }]);
    expect(ok("")).toEqual([{ check: "body", where: "response.body", problem: "empty; the spec documents a body (application/json)" }]);
    expect(ok('{"gongId":1,"extra":{}}')).toEqual([{ check: "requestId", where: "response.body/requestId", problem: "is required" }]);
    expect(ok('{"requestId":"","gongId":1}')).toEqual([
      { check: "requestId", where: "response.body/requestId", problem: "must NOT have fewer than 1 characters" },
    ]);
    expect(checkResponse(alpha, { status: 400, headers: json, text: '{"requestId":"r","errors":"bad"}' })).toEqual([
      { check: "body", where: "response.body/errors", problem: "must be an array" },
    ]);
    expect(checkResponse(gamma, { status: 200, headers: json, text: "[]" })).toEqual([{ check: "body", where: "response.body", problem: "must be an object" }]);
  });

  it("an int64 field written as anything but an exact JSON integer in int64's range (said once)", () => {
    const int64 = (text: string) => ok(text).filter((f) => f.where === "response.body/gongId");
    expect(int64('{"requestId":"r","gongId":"5517027188234206123"}')).toEqual([
      { check: "int64", where: "response.body/gongId", problem: 'not an exact int64 JSON integer: written as a string "5517027188234206123"' },
    ]);
    expect(int64('{"requestId":"r","gongId":5.517027188234206e18}')).toEqual([
      { check: "int64", where: "response.body/gongId", problem: "not an exact int64 JSON integer: written 5.517027188234206e18" },
    ]);
    expect(int64('{"requestId":"r","gongId":1.0}')).toEqual([
      { check: "int64", where: "response.body/gongId", problem: "not an exact int64 JSON integer: written 1.0" },
    ]);
    expect(int64('{"requestId":"r","gongId":9223372036854775808}')).toEqual([
      { check: "int64", where: "response.body/gongId", problem: "beyond int64: written 9223372036854775808" },
    ]);
    expect(int64('{"requestId":"r","gongId":true}')).toEqual([
      { check: "int64", where: "response.body/gongId", problem: "not an exact int64 JSON integer: written true" },
    ]);
    // The same name deeper in the body is not the field.
    expect(int64('{"requestId":"r","nested":{"gongId":"x"},"gongId":5517027188234206123}')).toEqual([]);
    // Absent: the schema says it is required.
    expect(ok('{"requestId":"r"}')).toEqual([{ check: "body", where: "response.body/gongId", problem: "is required" }]);
  });

  it("a required header missing, or a header whose value breaks its schema", () => {
    const limited = (headers: Record<string, string>) => checkResponse(alpha, { status: 429, headers: { ...json, ...headers }, text: '{"requestId":"r"}' });
    expect(limited({})).toEqual([{ check: "header", where: "response.header Retry-After", problem: "missing; the spec requires it on 429" }]);
    expect(limited({ "retry-after": "soon" })).toEqual([{ check: "header", where: "response.header Retry-After", problem: '"soon" is not an integer' }]);
    expect(limited({ "retry-after": "1.5" })).toEqual([{ check: "header", where: "response.header Retry-After", problem: '"1.5" is not an integer' }]);
    expect(limited({ "retry-after": "-1" })).toEqual([{ check: "header", where: "response.header Retry-After", problem: "must be >= 0" }]);
    expect(limited({ "retry-after": " 2 " })).toEqual([]);
  });

  it("reports every departure of one answer together", () => {
    const findings = checkResponse(alpha, { status: 429, headers: { "content-type": "text/plain" }, text: "busy" });
    expect(findings.map((f) => f.check)).toEqual(["content-type", "header", "body"]);
  });
});

describe("checksFor", () => {
  it("lists the checks that apply to a status", () => {
    expect(checksFor(alpha, 200)).toEqual(["status", "content-type", "body schema", "requestId", "gongId exact integer"]);
    expect(checksFor(alpha, 429)).toEqual(["status", "content-type", "header Retry-After", "body schema", "requestId"]);
    expect(checksFor(gamma, 204)).toEqual(["status"]);
    expect(checksFor(gamma, 500)).toEqual(["status"]);
  });
});
