// The tests Stryker runs against each mutant (`pnpm test:mutation`): the rule modules' own tests, which call
// the rules directly on injected clocks and in-process state, so one mutant takes a second or two rather than the
// twenty a full HTTP suite takes on two contended cores. The HTTP tests (mock-server, proxy, oauth-server, ...)
// pin the same rules from outside, so the score measured here is a lower bound. The CLI tests never see a mutant
// at all (they run dist/ in a child process). MUTATION_TESTS="test/a.test.ts,test/b.test.ts" picks other files.
import { defineConfig } from "vitest/config";

const RULE_TESTS = ["test/rate-limiter.test.ts", "test/gong-stages.test.ts", "test/fault-rules.test.ts", "test/oauth-rules.test.ts"];

export default defineConfig({
  test: {
    include: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(",") : RULE_TESTS,
    testTimeout: 60_000,
  },
});
