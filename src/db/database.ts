/**
 * The in-process DuckDB database: open, create the schema, append rows, run
 * queries with bound parameters, and hand back JSON-safe rows (no bigint, ISO
 * times), so renderers never meet a DuckDB value type.
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { isOutOfMemory } from '../errors.js';
import { collectGarbage } from '../heap.js';
import { duckdb } from './duckdb.js';
import { sqlFile } from './sql-files.js';
import type { SqlValue } from './params.js';

export type Row = Record<string, unknown>;

export interface QueryResult {
  columns: string[];
  types: string[];
  rows: Row[];
}

/** The tables a load fills: in the cache file when there is one, seen through views of the same names. */
export const LOADED_TABLES = ['files', 'line_issues', 'events', 'llm_calls', 'spans', 'session_index', 'error_records', 'errors', 'sessions'] as const;

/**
 * DuckDB's memory limit: beyond it, a large sort or join spills to the temp
 * directory instead of growing the process. 256 MB was too little for the
 * statements that link and merge 10 GB of logs ("failed to pin block").
 */
export const MEMORY_LIMIT = '512MB';

/**
 * The limit while the loader appends rows, which need no room to sort or
 * join: DuckDB's own allocations go some way past it, and at 256 MB rather
 * than 512 MB reading 1 GB of logs peaked at 0.88 GB instead of 1.14 GB
 * (1.01 instead of 1.26 GB building the cache), in the same time.
 */
export const LOAD_MEMORY_LIMIT = '256MB';

/**
 * The limit a statement is tried under first when it may need less than
 * MEMORY_LIMIT, and the process much more room beside it (Database.tight).
 * Merging the error sightings of 10 GB of logs, the statements that group and
 * sort them into batches took the process to 0.69 GiB on their own at 512 MB
 * and 0.56 GiB at 384 MB, in the same time; at 320 MB the sort ran out of memory.
 */
export const TIGHT_MEMORY_LIMIT = '384MB';

type MemoryLimit = typeof MEMORY_LIMIT | typeof LOAD_MEMORY_LIMIT | typeof TIGHT_MEMORY_LIMIT;

/**
 * Rows per row group in the cache file (DuckDB's default is 122,880). The
 * loader's commits checkpoint whenever 16 MB more were written since the
 * last, and while rows are appended those checkpoints took longer as the
 * table grew, as if each wrote the table's last row group again whole:
 * storing the merged errors of 10 GB of logs, commits stalled the build for
 * 0.9, 1.5, 2.6, 3.6 and 4.8 s, and the process peaked at 1.13 GiB in the
 * last of them. With row groups of 16,384 rows the same build took 526 and
 * 537 s instead of 711 and 728 s (726 s in a slow hour) and peaked at 0.99
 * to 1.03 GiB; at 1 GB reading took 37 s instead of 41 to 47 s. (4,096 read
 * faster still, but storing the merged errors took twice as long.) DuckDB
 * does not record the size in the file: the 10 GB cache attached with the
 * default size, where only the sessions changed, took 47 s and 0.93 GiB to
 * close. So every attach for writing gives it, and caches built before it
 * are built again (CACHE_FORMAT in src/cache/cache.ts).
 */
export const CACHE_ROW_GROUP_SIZE = 16_384;

/** DuckDB's automatic checkpoints off, for a database in memory (see Database.open). */
const NO_CHECKPOINTS = "SET checkpoint_threshold = '1TB'";

/**
 * Text fetched between two garbage collections in Database.fetching: for
 * every LLM call of 1 GB of logs, 32 MB (every fourth chunk) kept the process
 * at 0.80 GiB instead of 0.96 GiB in the same time, where every chunk
 * (0.59 GiB) took a quarter longer.
 */
const GARBAGE_TEXT = 32 * 1024 * 1024;

/** The characters of the rows' text values. */
function textLength(rows: Row[]): number {
  let n = 0;
  for (const row of rows) for (const v of Object.values(row)) if (typeof v === 'string') n += v.length;
  return n;
}

/** A path as an SQL string literal, for the statements that take no parameter (ATTACH, SET). */
export function sqlString(text: string): string {
  if (text.includes('\0')) throw new Error('a path with a NUL byte');
  return `'${text.replaceAll("'", "''")}'`;
}

export class Database {
  /** True once the loaded tables are views of the cache file (Database.useCache). */
  cached = false;
  /** Whether the cache file is attached for writing: the default catalog, where the loader's rows go (through staging.ts). */
  writingCache = false;

  /** Loaded tables that keepOnly copied into memory, hiding their view of the cache. */
  private readonly copies = new Set<string>();

  /** DuckDB's memory limit as last set (limitMemory). */
  private limit: MemoryLimit = MEMORY_LIMIT;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** Where DuckDB spills (a folder of this process's own); null for none. */
    private readonly tempDir: string | null,
    /** Whether the loaded tables exist in memory (see open). */
    private loadedTables: boolean,
  ) {}

  /**
   * An in-memory database with obs's settings and the metric_samples table.
   * The loaded tables are created too, unless `loadedTables` is false: a run
   * answered from the cache sees the cache's tables instead (useCache), and
   * creating them takes as long as creating the database (18 to 20 ms;
   * ensureLoadedTables makes them later, when needed).
   *
   * DuckDB's automatic checkpoints are off while the tables are in memory,
   * that is, unless a cache file is attached for writing. DuckDB checkpoints
   * an in-memory database too, whenever what was committed since the last
   * one passes checkpoint_threshold (16 MB). While the loader's appenders
   * commit (every 50,000 rows or 16 Mi characters), reading 1 GB of logs,
   * the commits that checkpointed took seconds each, each longer than the
   * last as the table grew (2.1, 4.4 and 6.5 s for the audit log's table):
   * 17 to 20 s of a 42 s run. Without them the same run took 26 s, peaking
   * at 0.82 to 0.92 GiB against 0.76 (at 100 MB: the same time, 0.39 to 0.42
   * GiB against 0.44). A table in memory gains nothing from a checkpoint: it
   * is not written anywhere, and its data stays uncompressed either way.
   */
  static async open(opts: { tempDir?: string | null; loadedTables?: boolean } = {}): Promise<Database> {
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const tempDir = opts.tempDir ?? null;
    const loadedTables = opts.loadedTables !== false;
    // One round trip: each statement run on its own waits for this thread to send the next.
    const statements = [
      "SET TimeZone = 'UTC';",
      `SET memory_limit = '${MEMORY_LIMIT}';`,
      `${NO_CHECKPOINTS};`,
      ...(tempDir === null ? [] : [`SET temp_directory = ${sqlString(tempDir)};`]),
      sqlFile('metric_samples.sql'),
      ...(loadedTables ? [sqlFile('schema.sql')] : []),
    ];
    await connection.run(statements.join('\n'));
    return new Database(instance, connection, tempDir, loadedTables);
  }

  /** Creates the loaded tables in memory, if open did not (a run that reads the logs without the cache after all). */
  async ensureLoadedTables(): Promise<void> {
    if (this.loadedTables) return;
    await this.connection.run(sqlFile('schema.sql'));
    this.loadedTables = true;
  }

  /**
   * Attaches the cache file as catalog "cache". For writing, it becomes the
   * default catalog, so the loader's statements and appenders fill it.
   * Throws DuckDB's lock error when another process holds it.
   */
  async attachCache(file: string, mode: 'read' | 'write'): Promise<void> {
    if (mode === 'read') {
      await this.connection.run(`ATTACH ${sqlString(file)} AS cache (READ_ONLY)`);
      return;
    }
    // Checkpoints as DuckDB's default has them (see open): without, the file's write-ahead log would keep every row written.
    await this.connection.run(
      `RESET checkpoint_threshold; ATTACH ${sqlString(file)} AS cache (ROW_GROUP_SIZE ${CACHE_ROW_GROUP_SIZE}); USE cache;`,
    );
    this.writingCache = true;
  }

  async detachCache(): Promise<void> {
    await this.connection.run(`USE memory; DETACH DATABASE IF EXISTS cache; ${NO_CHECKPOINTS};`);
    this.writingCache = false;
  }

  /**
   * No automatic checkpoints until releaseCheckpoints, while the loader copies
   * its rows into the cache file (src/load/staging.ts): those copies write
   * whole row groups into the file as they go, so the write-ahead log holds
   * little, and the one checkpoint after them has little to write.
   */
  async holdCheckpoints(): Promise<void> {
    await this.connection.run(NO_CHECKPOINTS);
  }

  /** Automatic checkpoints again, as attachCache set them. */
  async releaseCheckpoints(): Promise<void> {
    await this.connection.run('RESET checkpoint_threshold');
  }

  /** The loaded tables become views of the attached cache's (metric_samples and temporary tables stay in memory). */
  async useCache(): Promise<void> {
    for (const table of LOADED_TABLES) {
      await this.connection.run(`DROP TABLE IF EXISTS memory.main.${table}`);
      await this.connection.run(`CREATE VIEW memory.main.${table} AS SELECT * FROM cache.main.${table}`);
    }
    this.cached = true;
  }

  /**
   * Keeps only the rows of a loaded table that match: deleted in memory, or,
   * for a view of the cache, copied into a table of its own that hides the view.
   */
  async keepOnly(table: string, condition: string, params?: Record<string, SqlValue>): Promise<void> {
    if (!this.cached) {
      await this.exec(`DELETE FROM ${table} WHERE NOT coalesce(${condition}, false)`, params);
      return;
    }
    await this.exec(`DROP VIEW IF EXISTS memory.main.${table}`);
    await this.exec(`CREATE TABLE memory.main.${table} AS SELECT * FROM cache.main.${table} WHERE coalesce(${condition}, false)`, params);
    this.copies.add(table);
  }

  /**
   * The table that holds a loaded table's rows, where a view of the cache
   * would only show them: its rowid names a row for a later statement.
   */
  rowSource(table: string): string {
    return this.cached && !this.copies.has(table) ? `cache.main.${table}` : `memory.main.${table}`;
  }

  /** A table of this run's own in memory (memory.main), made afresh from values (text or true/false). */
  async fillTable(table: string, columns: string, rows: Iterable<ReadonlyArray<string | boolean>>): Promise<void> {
    await this.exec(`CREATE OR REPLACE TABLE memory.main.${table} (${columns})`);
    const a = await this.appender(table, 'memory');
    for (const row of rows) {
      for (const v of row) {
        if (typeof v === 'boolean') a.appendBoolean(v);
        else a.appendVarchar(v);
      }
      a.endRow();
    }
    a.closeSync();
  }

  /**
   * Runs work that only appends rows (reading files, storing merged errors,
   * writing the cache's manifest and checkpoint) under LOAD_MEMORY_LIMIT,
   * then sets MEMORY_LIMIT again. Lowering the limit also makes DuckDB hand
   * back what it holds beyond it.
   */
  async appending<T>(body: () => Promise<T>): Promise<T> {
    await this.limitMemory(LOAD_MEMORY_LIMIT);
    try {
      return await body();
    } finally {
      await this.limitMemory(MEMORY_LIMIT);
    }
  }

  /**
   * Rows fetched a statement at a time, each from a few rows already found
   * (a chunk of a long listing), under LOAD_MEMORY_LIMIT like appending: they
   * need no room to sort or join, and the lower limit keeps fewer of the
   * table's blocks in memory. Whenever the rows shown since hold
   * GARBAGE_TEXT of text, a full garbage collection frees their results: a
   * result's native memory is invisible to V8, which otherwise let 0.3–0.5 GB
   * of them wait at 1 GB of LLM calls.
   */
  async *fetching(fetches: AsyncIterable<Row[]>): AsyncGenerator<Row[]> {
    await this.limitMemory(LOAD_MEMORY_LIMIT);
    try {
      let text = 0;
      for await (const rows of fetches) {
        yield rows;
        text += textLength(rows);
        if (text >= GARBAGE_TEXT) {
          collectGarbage();
          text = 0;
        }
      }
    } finally {
      await this.limitMemory(MEMORY_LIMIT);
    }
  }

  /**
   * Runs one statement under TIGHT_MEMORY_LIMIT; should DuckDB run out of
   * memory there, runs it again under the limit it had. One statement only:
   * a statement that fails leaves nothing behind (it is its own transaction),
   * so running it again is safe, where a second of two would run twice.
   */
  async tight<T>(statement: () => Promise<T>): Promise<T> {
    const usual = this.limit;
    await this.limitMemory(TIGHT_MEMORY_LIMIT);
    try {
      return await statement();
    } catch (err) {
      if (!isOutOfMemory(err)) throw err;
      await this.limitMemory(usual);
      return await statement();
    } finally {
      await this.limitMemory(usual);
    }
  }

  /** Sets DuckDB's memory limit: MEMORY_LIMIT, LOAD_MEMORY_LIMIT for appending and fetching, TIGHT_MEMORY_LIMIT to try a statement in less. */
  private async limitMemory(limit: MemoryLimit): Promise<void> {
    this.limit = limit;
    await this.connection.run(`SET memory_limit = '${limit}'`);
  }

  /**
   * Makes DuckDB give back to the system the memory its statements and
   * commits have freed. DuckDB allocates through its own allocator (jemalloc,
   * built into its library), which keeps freed pages for reuse until asked to
   * purge them, and setting the memory limit, even to the same value, asks:
   * after a GROUP BY of 1.5 million rows was dropped, the process held 659 MB
   * and then 235 MB, where waiting 3 s had given none of it back.
   * Building the cache of 10 GB of logs, the allocator held up to 220 MB of
   * such pages while reading. Given back as reading flushes rows, between
   * the statements after it and after each batch of merged errors, the 1 GB
   * build peaked at 0.57 to 0.58 GiB instead of 0.62, and the 10 GB build's
   * sessions table at 0.89 to 0.95 GiB instead of 1.03.
   */
  async releaseMemory(): Promise<void> {
    await this.limitMemory(this.limit);
  }

  /** An appender to a table of the default catalog, or of the one named. */
  async appender(table: string, catalog?: string): Promise<DuckDBAppender> {
    return catalog === undefined ? this.connection.createAppender(table) : this.connection.createAppender(table, 'main', catalog);
  }

  async exec(sql: string, params?: Record<string, SqlValue>): Promise<void> {
    await this.connection.run(sql, params as never);
  }

  /**
   * Runs each statement of a script of our own (a file of src/sql), binding
   * to each the parameters it names; with `release`, gives back what each
   * statement freed before the next (see releaseMemory); with `tight`, tries
   * each under TIGHT_MEMORY_LIMIT first (see tight).
   */
  async execScript(sql: string, params: Record<string, SqlValue>, opts: { release?: boolean; tight?: boolean } = {}): Promise<void> {
    const statements = await this.connection.extractStatements(sql);
    for (let i = 0; i < statements.count; i++) {
      // A statement run again (tight) is extracted afresh: DuckDB prepares an extracted statement once. And it is
      // destroyed once run: a statement that ran out of memory held what it had taken until then, and its second run failed.
      const run = async (): Promise<void> => {
        const prepared = await (opts.tight === true ? await this.connection.extractStatements(sql) : statements).prepare(i);
        try {
          const names = Array.from({ length: prepared.parameterCount }, (_, p) => prepared.parameterName(p + 1));
          prepared.bind(Object.fromEntries(names.map((n) => [n, params[n] ?? null])) as never);
          await prepared.run();
        } finally {
          prepared.destroySync();
        }
      };
      await (opts.tight === true ? this.tight(run) : run());
      if (opts.release === true) await this.releaseMemory();
    }
  }

  async query(sql: string, params?: Record<string, SqlValue>): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    const columns = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const rows = reader.getRowObjectsJS().map((r) => toJsonSafe(r) as Row);
    return { columns, types, rows };
  }

  /**
   * A query's rows a chunk at a time (DuckDB's chunks of up to 2,048 rows),
   * JSON-safe like query's, so a large answer is never held whole. The
   * garbage of what came before (the load: a walk of 168,950 files leaves
   * their stat objects) is collected first, so that V8 sizes its heap for the
   * rows to come from what is live: without it, the 150 MB answer of errors
   * at 10 GB peaked anywhere from 0.63 to 0.95 GiB, and with it at 0.50 to
   * 0.64 GiB. On a small load the collection takes a few milliseconds.
   */
  async stream(sql: string, params?: Record<string, SqlValue>): Promise<{ columns: string[]; chunks: AsyncIterable<Row[]> }> {
    collectGarbage();
    const result = await this.connection.stream(sql, params as never);
    const columns = result.columnNames();
    async function* chunks(): AsyncGenerator<Row[]> {
      for await (const objects of result.yieldRowObjectJs()) yield objects.map((r) => toJsonSafe(r) as Row);
    }
    return { columns, chunks: chunks() };
  }

  /** The first column of a query's rows, JSON-safe like query's. */
  async column(sql: string, params?: Record<string, SqlValue>): Promise<unknown[]> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    return (reader.getColumnsJS()[0] ?? []).map((v) => toJsonSafe(v));
  }

  /** How many statements DuckDB's parser finds in a user's SQL. Throws what the parser (or a PRAGMA it expands) throws. */
  async statementCount(sql: string): Promise<number> {
    return (await this.connection.extractStatements(sql)).count;
  }

  /**
   * DuckDB's statement type (SELECT, EXPLAIN, COPY, ...) of the first
   * statement of a user's SQL, from binding it without running it. Throws
   * what the binder throws (a Permission Error for a file it may not read).
   */
  async statementType(sql: string): Promise<string> {
    const prepared = await (await this.connection.extractStatements(sql)).prepare(0);
    return duckdb.StatementType[prepared.statementType] ?? 'UNKNOWN';
  }

  /**
   * The syntax trees of a user's SQL as DuckDB's parser reads it, when every
   * statement is a query (SELECT, FROM, WITH, VALUES, TABLE, DESCRIBE, SHOW,
   * SUMMARIZE, a PIVOT with its values); null otherwise (any other statement,
   * a PRAGMA, an EXPLAIN, a syntax error). Parses only: nothing is bound or run.
   */
  async querySyntax(sql: string): Promise<unknown[] | null> {
    const reader = await this.connection.runAndReadAll('SELECT json_serialize_sql($sql::VARCHAR)::VARCHAR AS tree', { sql });
    const tree = JSON.parse(String(reader.getRowObjectsJS()[0]?.['tree'])) as { error?: boolean; statements?: unknown[] };
    return tree.error === false && Array.isArray(tree.statements) ? tree.statements : null;
  }

  /**
   * Locks the database for user SQL: no file or network access, no extension
   * installed or loaded on demand, no persistent secrets (nor the directory
   * they live in, which names the home directory), no temporary directory
   * but obs's own under the cache (DuckDB would otherwise keep ./.tmp
   * readable and writable with external access off, and spill to it), then
   * the configuration frozen so that no
   * statement can undo any of it.
   */
  async lockDown(): Promise<void> {
    // obs's own spill directory under the cache, or none. Set only when it differs: once a load
    // has spilled there, DuckDB refuses to set it again, even to the same directory.
    const temp = this.tempDir ?? '';
    const current = await this.query("SELECT current_setting('temp_directory') AS temp");
    for (const setting of [
      'SET autoinstall_known_extensions = false',
      'SET autoload_known_extensions = false',
      'SET allow_community_extensions = false',
      'SET allow_persistent_secrets = false',
      "SET secret_directory = ''",
      ...(current.rows[0]?.['temp'] === temp ? [] : [`SET temp_directory = ${sqlString(temp)}`]),
      'SET enable_external_access = false',
      'SET lock_configuration = true',
    ]) {
      await this.connection.run(setting);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Appends an instant (epoch µs) to a TIMESTAMPTZ column. The appender's
 * TIMESTAMP call stores the same microseconds in such a column, no time zone
 * applied, and skips the DuckDB value appendTimestampTZ builds for every
 * call: a third of the appender's time on logs with a time on every line.
 */
export function appendInstant(a: DuckDBAppender, micros: number): void {
  a.appendTimestamp(new duckdb.DuckDBTimestampValue(BigInt(Math.trunc(micros))));
}

/**
 * Converts DuckDB's JS values into values JSON.stringify accepts: bigint to
 * number (or string beyond 2^53), Date to ISO 8601, nested lists and structs
 * recursively.
 */
export function toJsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[k] = toJsonSafe(val);
    return out;
  }
  return v;
}
