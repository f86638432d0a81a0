// Before the suite starts against a server: is it there, and is it this API? One request per operation, without
// credentials (a server that implements the spec answers 401 and records nothing). A server that cannot be
// reached, or that answers no operation with a status the spec documents (a 404 on both, an HTML error page),
// is a start-up error: one line saying what is wrong and how to fix it, instead of a failed suite.
import { errorCodes, type SpecModel } from "@gong-engage/spec-model";
import { tagEvent } from "./suites.js";

export class PreflightError extends Error {
  override readonly name = "PreflightError";
}

export interface PreflightResult {
  requests: number;
  /** "<operationId> <status>" per operation, e.g. "<operationId> 401" */
  answers: string[];
}

const TIMEOUT_MS = 15_000;

/** The requests preflight sends: one per operation of the spec. */
export const preflightRequests = (model: SpecModel): number => model.operations.length;

export async function preflight(baseUrl: string, model: SpecModel): Promise<PreflightResult> {
  const operations = model.operations;
  const answers: Array<{ operationId: string; path: string; status: number; contentType: string; documented: boolean }> = [];
  for (const operation of operations) {
    const body = tagEvent(model, operation, Object.values(operation.examples)[0], `ct-preflight-${Date.now().toString(36)}`);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${operation.path}`, {
        method: operation.method,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.arrayBuffer();
    } catch (error) {
      throw new PreflightError(unreachable(baseUrl, error));
    }
    answers.push({
      operationId: operation.operationId,
      path: operation.path,
      status: response.status,
      contentType: (response.headers.get("content-type") ?? "no content type").split(";")[0]!,
      documented: operation.responses.has(response.status),
    });
  }
  if (!answers.some((a) => a.documented)) {
    const seen = answers
      .map((a) => `${a.status} (${a.contentType}) to ${operations.find((o) => o.operationId === a.operationId)!.method} ${a.path}`)
      .join(" and ");
    const hint = answers.every((a) => a.status === 404 || a.status === 405)
      ? `is the base URL right? It is the part before the spec's paths, e.g. https://api.gong.io or http://127.0.0.1:4010`
      : "is it the server you meant?";
    throw new PreflightError(`${baseUrl} does not look like this API: it answered ${seen}, no status the spec documents; ${hint}`);
  }
  return { requests: answers.length, answers: answers.map((a) => `${a.operationId} ${a.status}`) };
}

function unreachable(baseUrl: string, error: unknown): string {
  const codes = errorCodes(error);
  const host = new URL(baseUrl).host;
  if (codes.includes("ECONNREFUSED")) return `cannot reach ${baseUrl}: connection refused; is the server running, and listening on ${host}?`;
  if (codes.includes("ENOTFOUND") || codes.includes("EAI_AGAIN"))
    return `cannot reach ${baseUrl}: the host ${new URL(baseUrl).hostname} was not found; check the base URL`;
  if (codes.includes("TIMEOUT") || codes.includes("UND_ERR_CONNECT_TIMEOUT"))
    return `cannot reach ${baseUrl}: no answer within ${TIMEOUT_MS / 1000} s; check the base URL and the network`;
  const cause = (error as { cause?: { message?: string } })?.cause?.message ?? (error as Error)?.message ?? String(error);
  return `cannot reach ${baseUrl}: ${cause}${codes.length ? ` (${codes.join(", ")})` : ""}`;
}
