/**
 * Collects bound parameters while SQL text is assembled. Every value that comes
 * from a user goes through add(); only its placeholder ($p1, $p2, ...) is ever
 * written into SQL text.
 */
export type SqlValue = string | number | boolean | null | bigint;

export class SqlParams {
  readonly values: Record<string, SqlValue> = {};
  private next = 1;

  /** Binds a value and returns its placeholder. */
  add(value: SqlValue): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `$${name}`;
  }

  get size(): number {
    return this.next - 1;
  }
}
