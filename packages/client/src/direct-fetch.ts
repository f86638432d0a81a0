// openapi-fetch's options for handing globalThis.fetch the URL and init directly instead of a Request object:
// building a Request costs about a quarter of a loopback round trip on Node 20 (bench/: "openapi-fetch alone"
// builds one per call), and fetch builds its own from the URL and init anyway. The report methods use these when
// the caller gave no fetch of their own; a custom fetch, and `raw`, always get a real Request.

/** A stand-in for Request that only carries url and init, for `directFetch.fetch` to unwrap. */
class PlainRequest {
  readonly method: string;
  constructor(
    readonly url: string,
    readonly init: RequestInit,
  ) {
    this.method = init.method ?? "GET";
  }
}

/** `createClient({ ...options, ...directFetch })`. */
export const directFetch = {
  Request: PlainRequest as unknown as typeof Request,
  fetch: (request: Request) => {
    const { url, init } = request as unknown as PlainRequest;
    return globalThis.fetch(url, init);
  },
};
