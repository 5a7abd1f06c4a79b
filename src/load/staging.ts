/**
 * Rows bound for the cache file, appended in memory first and copied into the
 * file a batch at a time.
 *
 * An appender to a table of the cache file commits at every flush, and those
 * commits checkpoint the file whenever 16 MB more were written. Appended in
 * memory instead (no checkpoints there, see Database.open) and copied with one
 * INSERT per table every STAGE_SIZES.stageChars of lines read, the rows reach
 * the file as whole row groups, which DuckDB writes as they fill, and the
 * file's checkpoints wait for the end of the reading (Database.holdCheckpoints).
 * Building the cache of 1 GB of logs for `obs errors --stage plan --group`
 * (three runs each, alternated) took 37.1 to 40.6 s instead of 41.7 to 48.9 s,
 * peaking at 0.70 to 0.76 GiB instead of 0.64 to 0.67. At 100 MB it took 4.8
 * to 5.4 s against 4.6 to 4.9 s, within the spread of runs on this machine.
 *
 * A batch copies whole row groups only (CACHE_ROW_GROUP_SIZE rows): the rest
 * waits for the next batch, in the other of the table's two staging tables. A
 * partial row group copied into the file is written there again once the next
 * batch fills it, and the first copy's blocks are left free: with batches of
 * 64 MiB copied whole, the 1 GB cache file held 1.97 GB, 0.8 GB of it free
 * (1.17 GB, 25 MB free, with whole row groups).
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { CACHE_ROW_GROUP_SIZE, type Database } from '../db/database.js';

/** The tables the loader appends to while it reads. */
export const APPENDED_TABLES = ['events', 'llm_calls', 'spans', 'session_index', 'line_issues'] as const;
export type AppendedTable = (typeof APPENDED_TABLES)[number];

export interface StageSizes {
  /** Characters of lines read between copies into the cache file. */
  stageChars: number;
  /**
   * At most this many characters of text wait for the next batch in a partial
   * row group; more (a row group of records of 100 KB each would be 1.6 GB)
   * are copied with the batch, partial row group and all, and the file is
   * checkpointed after that batch.
   */
  restChars: number;
}

/**
 * 64 MiB: at 32, each batch followed by a checkpoint, the 1 GB build took 47
 * to 48 s instead of 37 to 41, and at 128 DuckDB ran out of memory copying a
 * batch under the loader's 256 MB (LOAD_MEMORY_LIMIT).
 */
export const STAGE_SIZES: StageSizes = { stageChars: 64 * 1024 * 1024, restChars: 32 * 1024 * 1024 };

/** One table's rows on their way to the cache: two tables in memory, appended to in turn. */
class StagedTable {
  /** Which of the two takes the rows now. */
  private current: 0 | 1 = 0;
  /** Characters of text in the rows staged (as the sink counts them). */
  private chars = 0;

  private constructor(
    private readonly db: Database,
    readonly table: AppendedTable,
    private readonly restChars: number,
    private readonly appenders: [DuckDBAppender, DuckDBAppender],
  ) {}

  static async open(db: Database, table: AppendedTable, restChars: number): Promise<StagedTable> {
    for (const n of [0, 1] as const) await db.exec(createStaged(table, n));
    return new StagedTable(db, table, restChars, [await db.appender(staged(table, 0), 'memory'), await db.appender(staged(table, 1), 'memory')]);
  }

  get appender(): DuckDBAppender {
    return this.appenders[this.current];
  }

  added(chars: number): void {
    this.chars += chars;
  }

  /**
   * Copies the staged rows into the cache's table, in the order they were
   * appended: whole row groups only, unless `all`; the rest moves to the other
   * staging table, which takes the rows from now on. True when a batch took a
   * partial row group into the file (its rest held too much text to wait).
   */
  async copy(all: boolean): Promise<boolean> {
    this.appender.flushSync();
    const from = `memory.main.${staged(this.table, this.current)}`;
    const rows = Number((await this.db.query(`SELECT count(*) AS n FROM ${from}`)).rows[0]?.['n'] ?? 0);
    let whole = all ? rows : rows - (rows % CACHE_ROW_GROUP_SIZE);
    // The rest's text, as a share of the rows' (their sizes vary little within a table).
    const rest = rows === 0 ? 0 : Math.round((this.chars * (rows - whole)) / rows);
    const partial = rest > this.restChars;
    if (partial) whole = rows;
    if (whole === 0) return false;
    const copied = this.current;
    if (whole === rows) {
      await this.db.exec(`INSERT INTO cache.main.${this.table} SELECT * FROM ${from};`);
      this.chars = 0;
    } else {
      this.chars = rest;
      const to = `memory.main.${staged(this.table, this.current === 0 ? 1 : 0)}`;
      await this.db.exec(`INSERT INTO cache.main.${this.table} SELECT * FROM ${from} LIMIT ${whole}; INSERT INTO ${to} SELECT * FROM ${from} OFFSET ${whole};`);
      this.current = this.current === 0 ? 1 : 0;
    }
    await this.empty(copied);
    return partial;
  }

  /**
   * Empties a staging table by making it anew, with a new appender. Emptied
   * with TRUNCATE or DELETE, a table in memory keeps its rows' blocks until a
   * checkpoint, and in memory nothing checkpoints (see Database.open): past
   * the loader's memory limit they went to the temporary directory, which
   * held 9.3 GB five minutes into building the cache of 10 GB of logs.
   */
  private async empty(n: 0 | 1): Promise<void> {
    this.appenders[n].closeSync();
    await this.db.exec(`DROP TABLE memory.main.${staged(this.table, n)}; ${createStaged(this.table, n)}`);
    this.appenders[n] = await this.db.appender(staged(this.table, n), 'memory');
  }

  async close(): Promise<void> {
    for (const a of this.appenders) quietly(() => a.closeSync());
    await this.db.exec(`DROP TABLE memory.main.${staged(this.table, 0)}; DROP TABLE memory.main.${staged(this.table, 1)};`);
  }
}

function staged(table: AppendedTable, n: 0 | 1): string {
  return `staged_${table}_${n}`;
}

function createStaged(table: AppendedTable, n: 0 | 1): string {
  return `CREATE OR REPLACE TABLE memory.main.${staged(table, n)} AS SELECT * FROM cache.main.${table} LIMIT 0;`;
}

/** The appenders the loader fills: straight into the tables in memory, or through CacheStaging into the cache file. */
export interface Appenders {
  appender(table: AppendedTable): DuckDBAppender;
  /** A row of about this many characters of text was appended to the table. */
  added(table: AppendedTable, chars: number): void;
  /** A line of this many characters was read. */
  read(chars: number): void;
  /** A moment the loader lets the event loop go: a batch due is copied. */
  breath(): Promise<void>;
  /** Every row appended is in its table. */
  finish(): Promise<void>;
  /** After a failure: the appenders closed and what was staged dropped, with no error of their own. */
  abandon(): Promise<void>;
}

/** Appenders to the loaded tables in memory (a load without the cache). */
export class DirectAppenders implements Appenders {
  private constructor(private readonly appenders: Record<AppendedTable, DuckDBAppender>) {}

  static async open(db: Database): Promise<DirectAppenders> {
    const appenders = {} as Record<AppendedTable, DuckDBAppender>;
    for (const table of APPENDED_TABLES) appenders[table] = await db.appender(table);
    return new DirectAppenders(appenders);
  }

  appender(table: AppendedTable): DuckDBAppender {
    return this.appenders[table];
  }

  added(): void {}

  read(): void {}

  async breath(): Promise<void> {}

  async finish(): Promise<void> {
    for (const table of APPENDED_TABLES) this.appenders[table].closeSync();
  }

  async abandon(): Promise<void> {
    for (const table of APPENDED_TABLES) quietly(() => this.appenders[table].closeSync());
  }
}

/** Appenders to staging tables in memory, copied into the cache file's tables a batch at a time. */
export class CacheStaging implements Appenders {
  private chars = 0;

  private constructor(
    private readonly db: Database,
    private readonly tables: Record<AppendedTable, StagedTable>,
    private readonly stageChars: number,
  ) {}

  static async open(db: Database, sizes: StageSizes = STAGE_SIZES): Promise<CacheStaging> {
    const tables = {} as Record<AppendedTable, StagedTable>;
    for (const table of APPENDED_TABLES) tables[table] = await StagedTable.open(db, table, sizes.restChars);
    await db.holdCheckpoints();
    return new CacheStaging(db, tables, sizes.stageChars);
  }

  appender(table: AppendedTable): DuckDBAppender {
    return this.tables[table].appender;
  }

  added(table: AppendedTable, chars: number): void {
    this.tables[table].added(chars);
  }

  read(chars: number): void {
    this.chars += chars;
  }

  async breath(): Promise<void> {
    if (this.chars < this.stageChars) return;
    this.chars = 0;
    let partial = false;
    for (const table of APPENDED_TABLES) partial = (await this.tables[table].copy(false)) || partial;
    // The next batch fills that row group and writes it again: the blocks it leaves are free for the batch after only once a checkpoint says so.
    if (partial) await this.db.exec('CHECKPOINT cache');
  }

  async finish(): Promise<void> {
    for (const table of APPENDED_TABLES) {
      await this.tables[table].copy(true);
      await this.tables[table].close();
    }
    await this.db.releaseCheckpoints();
  }

  async abandon(): Promise<void> {
    for (const table of APPENDED_TABLES) await this.tables[table].close().catch(() => undefined);
    await this.db.releaseCheckpoints().catch(() => undefined);
  }
}

function quietly(close: () => void): void {
  try {
    close();
  } catch {
    // The failure that led here is the one to report.
  }
}
