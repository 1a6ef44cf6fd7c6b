import type { EpochMs, MonotonicMs } from './util/clock.js';

/** What a flag covers: every check, or one check by name. */
export type Scope = { readonly kind: 'all' } | { readonly kind: 'check'; readonly name: string };

/**
 * A maintenance flag: the one shape shared by the spool reader, `down`, the daemon's answers
 * (health+json, page, agent, metrics), its shutdown drain and `status`.
 *
 * Times are wall-clock epoch milliseconds that a `Date` can hold (`isWallTime`): every flag made
 * in this folder keeps to that, so formatting one never throws.
 */
export interface MaintenanceFlag {
  /** What the flag covers. */
  readonly scope: Scope;
  readonly reason: string;
  /** When the flag was set (wall-clock epoch ms). */
  readonly since: EpochMs;
  /** When it ends (wall-clock epoch ms); null: until `healthcheckd up`. */
  readonly until: EpochMs | null;
  /** Who set it: the operator's name, or `uid N` for a file that healthcheckd did not write. */
  readonly by: string;
  /** What healthcheckd noticed about the spool entry (not its JSON, a FIFO, a link, ...). */
  readonly note?: string;
}

/** The state of one check, or of a set of checks, as the HTTP answer reports it. */
export type Status = 'pass' | 'warn' | 'fail';

/** What a check runs: a shell command, a TCP connect or an HTTP GET. */
export type CheckKind = 'command' | 'tcp' | 'http';

/** Where a value came from, so an error can point at it. */
export interface Origin {
  /** Absolute path of the config file, or `command line`. */
  readonly file: string;
  /** 1-based line in the file; 0 for the command line. */
  readonly line: number;
}

/** An inclusive range of HTTP status codes, e.g. 200-299. */
export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

/** How an http check asks and what its answer must hold; the defaults suit every other kind. */
export interface HttpCheckOptions {
  /** Default GET. */
  readonly method: 'GET' | 'HEAD';
  /** `header = Name: value` lines in order, as [name, value]. Default none. */
  readonly headers: readonly (readonly [string, string])[];
  /** A regular expression (source) the first 64 KiB of the body must match. Default none. */
  readonly expectBody: string | null;
  /** Verify the HTTPS certificate. Default false, as Kubernetes probes and hacheck. */
  readonly tlsVerify: boolean;
  /** `ca = FILE`: its absolute path and the PEM read from it at load. Default none. */
  readonly ca: { readonly file: string; readonly pem: string } | null;
}

/** One check, resolved from a `[check:NAME]` section, the `command` shorthand or a flag. */
export interface CheckDefinition {
  /** `[A-Za-z0-9_.-]+`; `default` for the `[healthcheckd] command` shorthand. */
  readonly name: string;
  readonly kind: CheckKind;
  /** The command line, `host:port`, or the URL. */
  readonly target: string;
  /** Default: `[healthcheckd] timeout`. */
  readonly timeoutMs: number;
  /** Background mode when set; absent = run on request. */
  readonly intervalMs: number | null;
  /** Default 3 x interval; results older than this count as fail. Null: no limit. */
  readonly maxAgeMs: number | null;
  /** On-request mode: reuse a pass this long. Default 0. */
  readonly cachePassMs: number;
  /** On-request mode: reuse a fail this long. Default 0. */
  readonly cacheFailMs: number;
  /** Consecutive passes before the state turns pass. Default 1. */
  readonly rise: number;
  /** Consecutive failures before the state turns fail. Default 1. */
  readonly fall: number;
  /** Exit codes that mean warn. Default none. */
  readonly warnExitCodes: readonly number[];
  /** Default true; false: a failure only warns the aggregate. */
  readonly critical: boolean;
  /** Groups this check is also served under. Default none. */
  readonly groups: readonly string[];
  /** HTTP checks: statuses that pass. Default 200-399. */
  readonly expectStatus: readonly StatusRange[];
  /** HTTP checks: method, headers, body match and TLS (DESIGN §4, §10). */
  readonly http: HttpCheckOptions;
  /** `flap_threshold`: percent state change (1-100) above which the check flaps. Default null (off). */
  readonly flapThresholdPercent: number | null;
  readonly origin: Origin;
}

/** HTTP status codes for each answer. */
export interface StatusCodes {
  /** Default 200. */
  readonly ok: number;
  /** Default 200. */
  readonly warn: number;
  /** Default 503. */
  readonly fail: number;
  /** Default 503. */
  readonly maintenance: number;
}

/** `log_level`: the least severe level written. Default info. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** `log_format`: one readable line an event, or pino's JSON. Default text. */
export type LogFormat = 'text' | 'json';

/** The `[healthcheckd]` section, resolved. */
export interface DaemonSettings {
  /** Default 9999; 0 picks a free port. */
  readonly port: number;
  /** Default all interfaces (`0.0.0.0`). */
  readonly bind: string;
  /** Absolute path. Default `<piddir>/healthcheckd-<port>.pid`. */
  readonly pidfile: string;
  /** Default /tmp. */
  readonly piddir: string;
  /** Default bash if present, else /bin/sh. */
  readonly shell: string;
  /** Default per-check timeout. Default 5 s. */
  readonly timeoutMs: number;
  readonly statusCodes: StatusCodes;
  /** Default /var/spool/healthcheckd. */
  readonly spoolDir: string;
  /** Default info. */
  readonly logLevel: LogLevel;
  /** Default text. */
  readonly logFormat: LogFormat;
  /** When started as root, run checks as this user. Default unset. */
  readonly user: string | null;
  /** On SIGTERM keep answering maintenance this long. Default 0. */
  readonly shutdownDelayMs: number;
  /** Checks running at once, all checks together. Default 8. */
  readonly maxConcurrent: number;
  /** Default true; false: JSON shows statuses, not command output. */
  readonly exposeOutput: boolean;
  /** Log one info line per HTTP request (method, path, status, duration, remote). Default false. */
  readonly accessLog: boolean;
  /** `auto` (default), `off`, or the absolute path of the spawn helper. */
  readonly spawnHelper: string;
}

/** The `[agent]` section, resolved. */
export interface AgentSettings {
  readonly port: number;
  /** `cpu`, `command:<cmd>` or `none` (default). */
  readonly weight:
    | { readonly kind: 'none' }
    | { readonly kind: 'cpu' }
    | { readonly kind: 'command'; readonly command: string };
  /** Percent, 1-100. Default 1. */
  readonly minWeight: number;
  /** Default drain. */
  readonly maintenance: 'drain' | 'maint';
}

/** The `[grpc]` section, resolved: where grpc.health.v1.Health is served (DESIGN §11). */
export interface GrpcSettings {
  readonly port: number;
  /** Default: the `[healthcheckd]` bind. */
  readonly bind: string;
}

/** Everything the daemon needs, resolved from the file and the flags. */
export interface ResolvedConfig {
  /** Absolute path of the config file, or null when every check came from flags. */
  readonly file: string | null;
  readonly daemon: DaemonSettings;
  readonly checks: readonly CheckDefinition[];
  readonly agent: AgentSettings | null;
  /** Null without a `[grpc]` section. */
  readonly grpc: GrpcSettings | null;
}

/**
 * One performance data item of a command's output, in the Nagios plugin format
 * (`'label'=value[unit];warn;crit;min;max`), read by src/checks/perfdata.ts.
 */
export interface PerfdataValue {
  readonly label: string;
  readonly value: number;
  /** As printed: '' (a plain number), s, ms, us, %, B, KB, MB, GB, TB, PB or c (a counter). */
  readonly unit: string;
  /** Threshold ranges as printed (`10`, `10:20`, `@~:5`); null when empty. */
  readonly warn: string | null;
  readonly crit: string | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** The performance data of one run: its items, and a note for each item skipped as malformed. */
export interface Perfdata {
  readonly values: readonly PerfdataValue[];
  readonly notes: readonly string[];
}

/** What one run of a check produced. A failure is a value, never an exception. */
export interface RunResult {
  readonly status: Status;
  /** Command checks: the exit code; null when killed by a signal, timed out, or another kind. */
  readonly exitCode: number | null;
  /** HTTP checks: the answer's status code; null when none came, or another kind. */
  readonly httpStatus: number | null;
  /** Command checks: the signal that ended the command (`SIGKILL`), else null. */
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** How long the run took, slot wait included, in milliseconds. */
  readonly durationMs: number;
  /** Captured output (capped at 4 KiB), or a sentence saying what went wrong. */
  readonly output: string;
  /** When the run ended, on the monotonic clock: ages (cache_pass, max_age) count from it. */
  readonly endedAt: MonotonicMs;
  /** When the run ended, on the wall clock: what people read. */
  readonly time: EpochMs;
  /** Command checks: the performance data of the output; absent when it has none. */
  readonly perfdata?: Perfdata;
}

/** One check as an answer reports it (JSON, HTML, the `check` command). */
export interface CheckReport {
  readonly name: string;
  readonly kind: CheckKind;
  /** The check's state: rise/fall applied, a stale result counted as fail. */
  readonly status: Status | 'pending';
  readonly critical: boolean;
  /** When the check entered this state (wall clock). */
  readonly since: EpochMs;
  /** The latest run, or null before the first one. */
  readonly last: RunResult | null;
  /** True when the last result is older than max_age. */
  readonly stale: boolean;
  /** The last results (at most 20), oldest first. */
  readonly history: readonly HistoryResult[];
  /** The last state changes (at most 20), oldest first. */
  readonly changes: readonly StateChange[];
  /** Flap detection; null without `flap_threshold`. */
  readonly flap: FlapReport | null;
}

/** One past run as a check's history keeps it. */
export interface HistoryResult {
  readonly status: Status;
  /** When the run ended (wall clock). */
  readonly time: EpochMs;
  readonly durationMs: number;
  /** Command checks: the exit code; null when killed, timed out, or another kind. */
  readonly exitCode: number | null;
  /** HTTP checks: the answer's status code; null when none came, or another kind. */
  readonly httpStatus: number | null;
  /** Command checks: the signal that ended the command, else null. */
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The first line of the output (at most 200 characters). */
  readonly output: string;
}

/** One change of a check's state (rise/fall applied) and the run that caused it. */
export interface StateChange {
  readonly from: Status | 'pending';
  readonly to: Status;
  /** When the run that caused it ended (wall clock). */
  readonly time: EpochMs;
  /** That run's output (at most 1 KiB). */
  readonly output: string;
}

/** A check's flapping, as `flap_threshold` judges it. */
export interface FlapReport {
  /** Nagios' weighted percent state change over the last 21 results, 0-100. */
  readonly percent: number;
  readonly flapping: boolean;
  /** `flap_threshold`: flapping starts above it. */
  readonly thresholdPercent: number;
  /** Flapping stops below it (hysteresis): three quarters of the threshold. */
  readonly stopBelowPercent: number;
}

/** What one endpoint answers: the aggregate and the checks behind it. */
export interface EndpointReport {
  readonly status: Status;
  readonly checks: readonly CheckReport[];
}

/**
 * One check in a health+json `checks` member. The shape follows the IETF draft "Health Check
 * Response Format for HTTP APIs" (draft-inadarei-api-health-check): `status`, `componentType`,
 * `time`, `observedValue`/`observedUnit` (the first performance data item), `output`; the rest is
 * ours.
 */
export interface HealthCheckEntry {
  readonly status: Status;
  readonly componentType: CheckKind;
  /** When the last run ended, ISO 8601; null before the first run. */
  readonly time: string | null;
  /** When the check entered its state, ISO 8601. */
  readonly since: string;
  /** The last run's duration in ms; null before the first run. */
  readonly durationMs: number | null;
  /** The first performance data item's value and unit; absent when the output has none. */
  readonly observedValue?: number;
  readonly observedUnit?: string;
  /** Every performance data item of the last run's output; absent when it has none. */
  readonly perfdata?: readonly PerfdataValue[];
  /** Why malformed performance data items were skipped; absent when none was. */
  readonly perfdataNotes?: readonly string[];
  /** Command checks: the last exit code. */
  readonly exitCode: number | null;
  /** HTTP checks: the last answer's status code. */
  readonly httpStatus?: number | null;
  readonly signal?: string;
  readonly timedOut?: true;
  readonly critical: boolean;
  /** Absent with `expose_output = false`. */
  readonly output?: string;
  /** The last results (at most 20), oldest first. */
  readonly history: readonly HealthHistoryEntry[];
  /** The last state changes (at most 20), oldest first. */
  readonly changes: readonly HealthStateChange[];
  /** With `flap_threshold` only: whether the check flaps now. */
  readonly flapping?: boolean;
  /** With `flap_threshold` only: Nagios' percent state change over the last 21 results. */
  readonly percentStateChange?: number;
}

/** A past run in health+json: `HistoryResult` with an ISO time. */
export interface HealthHistoryEntry {
  readonly status: Status;
  /** ISO 8601. */
  readonly time: string;
  readonly durationMs: number;
  readonly exitCode: number | null;
  /** HTTP checks only. */
  readonly httpStatus?: number | null;
  readonly signal?: string;
  readonly timedOut?: true;
  /** The first line of the output; absent with `expose_output = false`. */
  readonly output?: string;
}

/** A state change in health+json: `StateChange` with an ISO time. */
export interface HealthStateChange {
  readonly from: Status | 'pending';
  readonly to: Status;
  /** ISO 8601. */
  readonly time: string;
  /** Absent with `expose_output = false`. */
  readonly output?: string;
}

/** The `maintenance` member of health+json: a flag with its scope by name and ISO times. */
export interface HealthMaintenance {
  /** `all` or `check:NAME`. */
  readonly scope: string;
  readonly reason: string;
  readonly since: string;
  readonly until: string | null;
  readonly by: string;
  readonly note?: string;
}

/**
 * The health+json document healthcheckd serves (`Accept: application/health+json` or
 * `?format=json`) and `healthcheckd status` reads. `checks` is keyed by check name: build it
 * with `Object.fromEntries`, never by assignment, so a check named `__proto__` stays a key.
 */
export interface HealthDocument {
  readonly status: Status;
  readonly maintenance?: HealthMaintenance;
  readonly checks: Readonly<Record<string, readonly HealthCheckEntry[]>>;
  readonly notes: readonly string[];
  /** The host name. */
  readonly serviceId: string;
  /** Always `healthcheckd`: how `status` knows the answer is ours. */
  readonly description: 'healthcheckd';
}

/** The checks one endpoint answers for: the aggregate, a group, or one check. */
export interface Endpoint {
  /** The names of its checks, which maintenance flags are matched against. */
  readonly names: readonly string[];
  /** Reads its checks: cached and background results at once, else joins or starts runs. */
  readonly evaluate: (options: {
    readonly bypassCache: boolean;
  }) => EndpointReport | Promise<EndpointReport>;
  /** Its checks' current state, running nothing (what a maintenance answer shows). */
  readonly current: () => EndpointReport;
  /** `/check/<name>`: the check's own state counts, not softened by `critical = false`. */
  readonly single: boolean;
}

/** The endpoints of the running configuration, by route. */
export interface Endpoints {
  readonly aggregate: Endpoint;
  readonly group: (name: string) => Endpoint | undefined;
  readonly check: (name: string) => Endpoint | undefined;
}
