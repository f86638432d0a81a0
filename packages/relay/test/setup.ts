// Runs in every test file (vitest's setupFiles): whatever the file's scenarios started is stopped when it ends,
// even when one failed or timed out (the test processes are reused across files: helpers.ts is loaded once).
import { afterAll } from "vitest";
import { stopStarted } from "./helpers.js";

afterAll(stopStarted);
