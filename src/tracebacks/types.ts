/**
 * The shape every traceback parser returns: the final exception with its
 * frames, and the exceptions linked to it (causes, contexts, group members,
 * other threads of a dump), nearest first.
 */

export interface Frame {
  file: string;
  line: number | null;
  function: string | null;
  /** The source line as printed (Python), or null. */
  code: string | null;
  /** Column, when the stack prints one (Node). */
  column?: number;
  /** `[Previous line repeated N more times]` after this frame. */
  repeated?: number;
}

export type Relation = 'cause' | 'context' | 'group_member' | 'thread';

export interface ExceptionInfo {
  /** The exception's type as printed (qualified for Python: `urllib.error.HTTPError`). */
  type: string | null;
  message: string;
  /** Outermost first, innermost (where it was raised) last. */
  frames: Frame[];
}

export interface ChainLink extends ExceptionInfo {
  /**
   * How this exception relates to the one listed before it: `cause` (raise ... from,
   * Node's [cause]), `context` (raised while handling), `group_member` (a member of an
   * ExceptionGroup or AggregateError), `thread` (another thread of a crash dump).
   */
  relation: Relation;
  /** 0 for the final exception's own chain; +1 inside each group member. */
  depth: number;
}

export type Language = 'python' | 'node';

export interface ParsedError extends ExceptionInfo {
  language: Language;
  /** `exception` for tracebacks and stacks; `crash` for faulthandler dumps. */
  kind: 'exception' | 'crash';
  chain: ChainLink[];
  /** The traceback text this was parsed from. */
  text: string;
  /** Index of the traceback's first line in the text given to the parser. */
  startLine: number;
}
