// The defaults of the mock's own settings, apart from the server so that `gong-mock --help` can print them
// without loading it. The rate limits default to the spec's `x-gong-rate-limits`.
export const DEFAULTS = {
  port: 4010,
  host: "127.0.0.1",
  duplicateMemory: 100_000,
  journalLimit: 1_000,
} as const;
