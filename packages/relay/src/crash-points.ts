// Test hook: GONG_RELAY_CRASH_AT=<point>:<n> makes this process kill itself with SIGKILL (a real kill -9) the
// n-th time it reaches <point>: "claim" (the claim query sent, its answer not read), "before-send" (an event
// leased, nothing sent), "after-send" (Gong answered, the database not told). Without the variable, nothing.
const spec = process.env.GONG_RELAY_CRASH_AT;
const [point, nth] = spec ? [spec.split(":")[0], Number(spec.split(":")[1] ?? 1)] : [undefined, 0];
let reached = 0;

/** True when the crash was triggered (the process dies within milliseconds). */
export function crashPoint(name: "claim" | "before-send" | "after-send", delayMs = 0): boolean {
  if (name !== point || ++reached !== nth) return false;
  const kill = () => process.kill(process.pid, "SIGKILL");
  if (delayMs > 0) setTimeout(kill, delayMs);
  else kill();
  return true;
}
