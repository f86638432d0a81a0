// Log lines: one per state change (a worker starts or stops, a tenant starts delivering, is rate limited,
// paused, failing, idle; the database goes away or comes back), one per event only when asked (verbose).
// Lines never carry a credential: the code that writes them only has tenant ids, statuses and Gong's errors.
export type Log = (line: string) => void;

export function stderrLog(prefix = "gong-relay"): Log {
  return (line) => process.stderr.write(`${new Date().toISOString()} ${prefix}: ${line}\n`);
}

/** Remembers each key's last state and logs a line only when it changes. */
export class StateLog {
  private readonly states = new Map<string, string>();
  constructor(private readonly log: Log) {}

  set(key: string, state: string, line: string): void {
    if (this.states.get(key) === state) return;
    this.states.set(key, state);
    this.log(line);
  }
}
