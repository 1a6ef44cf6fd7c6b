/** Stable codes for operator and programmer mistakes; each maps to one exit code. */
export const exitCodes = {
  ok: 0,
  runtime: 1,
  usage: 2,
  config: 78,
} as const;

/** The stable code of a `HealthcheckdError`; each maps to one exit code (`exitCodeFor`). */
export type ErrorCode =
  | 'E_CONFIG'
  | 'E_USAGE'
  | 'E_ALREADY_RUNNING'
  | 'E_PIDFILE'
  | 'E_LISTEN'
  | 'E_SPOOL'
  | 'E_NO_DAEMON'
  | 'E_RUNTIME';

const exitCodeFor: Record<ErrorCode, number> = {
  E_CONFIG: exitCodes.config,
  E_USAGE: exitCodes.usage,
  E_ALREADY_RUNNING: exitCodes.runtime,
  E_PIDFILE: exitCodes.runtime,
  E_LISTEN: exitCodes.runtime,
  E_SPOOL: exitCodes.runtime,
  E_NO_DAEMON: 3,
  E_RUNTIME: exitCodes.runtime,
};

/**
 * An operator or programmer mistake. `message` is one line saying what failed and what to do;
 * `details` holds further lines (every problem of a configuration, one a line).
 */
export class HealthcheckdError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly details: readonly string[];

  /**
   * @param details further lines, one problem a line
   * @param options.cause the error that led to this one (a system error, a parse failure)
   */
  constructor(
    code: ErrorCode,
    message: string,
    details: readonly string[] = [],
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'HealthcheckdError';
    this.code = code;
    this.exitCode = exitCodeFor[code];
    this.details = details;
  }
}
