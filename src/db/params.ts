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

  /**
   * Binds a list of strings and returns SQL for it (a VARCHAR[]). The list
   * travels as JSON text read by from_json: a cast of that text to VARCHAR[]
   * would misread escapes (a \n in an id becomes the letter n).
   */
  addList(values: readonly string[]): string {
    return `from_json(${this.add(JSON.stringify(values))}, '["VARCHAR"]')`;
  }

  get size(): number {
    return this.next - 1;
  }
}
