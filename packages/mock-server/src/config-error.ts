// The one error for a setting the mock cannot work with: a flag, an environment variable, an option of
// startMockServer, or the spec it is told to serve. The CLI exits 2 on it (usage), 1 on anything else.

export class MockConfigError extends Error {
  override name = "MockConfigError";
}
