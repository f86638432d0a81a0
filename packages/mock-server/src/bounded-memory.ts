// Bounded stores: the duplicate memory (event keys seen) and the request journal. Each keeps at most `limit`
// entries and forgets the oldest first, so a long-running mock's memory stays flat.

export class BoundedKeySet {
  private readonly keys = new Set<string>();
  constructor(readonly limit: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value!);
  }

  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
  }
}

export class BoundedLog<T> {
  private entries: T[] = [];
  private start = 0;
  /** How many entries were ever added (including forgotten ones). */
  total = 0;
  constructor(readonly limit: number) {}

  push(entry: T): void {
    this.total++;
    if (this.limit <= 0) return;
    this.entries.push(entry);
    if (this.entries.length - this.start > this.limit) this.start++;
    // Compact now and then rather than shifting on every push.
    if (this.start > 1024 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  list(): T[] {
    return this.entries.slice(this.start);
  }

  get size(): number {
    return this.entries.length - this.start;
  }

  clear(): void {
    this.entries = [];
    this.start = 0;
    this.total = 0;
  }
}
