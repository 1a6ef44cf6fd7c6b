import { isIP, isIPv6 } from 'node:net';
import { isAbsolute } from 'node:path';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { StatusRange } from '../types.js';
import { needsQuoting, quoteValue } from './values.js';

/** A value read from text, or what was expected instead. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

/** Reads one value's text into a typed value. */
export type Parser<T> = (text: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

/** setTimeout fires at once for delays above 2^31-1 ms, so longer durations are refused. */
const maxTimerMs = 2 ** 31 - 1;
const namePattern = /^[A-Za-z0-9_.-]+$/;

/** An integer from min to max, digits only. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Parser<number> {
  const expected =
    max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return (text) => {
    const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
    return value >= min && value <= max ? ok(value) : bad(expected);
  };
}

/** A duration (`500ms`, `5s`, `2m` or bare seconds) in ms; zero allowed only when asked. */
export function duration(allowZero: boolean): Parser<number> {
  const floor = allowZero ? '>= 0' : '> 0';
  const expected = `a duration such as 500ms, 5s or 2m, ${floor} and at most ${formatDuration(3_600_000 * 596)}`;
  return (text) => {
    const value = parseDuration(text);
    if (value === null || value > maxTimerMs || (value === 0 && !allowZero)) return bad(expected);
    return ok(value);
  };
}

const truthy = new Set(['true', 'yes', 'on', '1']);
const falsy = new Set(['false', 'no', 'off', '0']);

/** true/false, yes/no, on/off or 1/0, any case. */
export const boolean: Parser<boolean> = (text) => {
  const lower = text.toLowerCase();
  if (truthy.has(lower)) return ok(true);
  if (falsy.has(lower)) return ok(false);
  return bad('true or false (also yes/no, on/off, 1/0)');
};

/** One of a fixed set of words. */
export function oneOf<T extends string>(words: readonly T[]): Parser<T> {
  const expected = words.join(' or ');
  return (text) => {
    const word = words.find((candidate) => candidate === text);
    return word === undefined ? bad(expected) : ok(word);
  };
}

/** Any non-empty text without whitespace (a user name). */
export const word: Parser<string> = (text) =>
  /^\S+$/.test(text) ? ok(text) : bad('a name without spaces');

/**
 * A shell command: non-empty, on one line, no NUL byte (exec cannot pass one; a command that
 * holds one would fail every run instead of being refused here).
 */
export const shellCommand: Parser<string> = (text) => {
  if (text.trim() === '') return bad('a command');
  return /[\0\r\n]/.test(text) ? bad('a command on one line, without NUL bytes') : ok(text);
};

/**
 * A path on one line without NUL bytes, that INI can hold (`validate` prints it back);
 * relative ones are resolved by the caller.
 */
export const path: Parser<string> = (text) => {
  const printable = !needsQuoting(text, false) || quoteValue(text) !== null;
  if (text === '' || /[\0\r\n]/.test(text) || !printable) {
    return bad('a path on one line, without NUL bytes or both quote kinds with ; or #');
  }
  return ok(text);
};

/** An IPv4 or IPv6 literal, or a host name. */
export const host: Parser<string> = (text) =>
  isIP(text) !== 0 || isHostName(text) ? ok(text) : bad('an IPv4 or IPv6 address or a host name');

function isHostName(text: string): boolean {
  return (
    text.length <= 253 &&
    text.split('.').every((label) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label))
  );
}

/** The items of a comma- or space-separated list, empty items dropped. */
export function listItems(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== '');
}

/** Exit codes 1-255 that mean warn; 0 always means pass. */
export const exitCodeList: Parser<readonly number[]> = (text) => {
  const codes = listItems(text).map((item) => (/^\d{1,3}$/.test(item) ? Number(item) : NaN));
  if (codes.some((code) => code === 0)) {
    return bad('exit codes from 1 to 255 (0 always means pass)');
  }
  if (codes.some((code) => !(code >= 1 && code <= 255))) {
    return bad('a list of exit codes from 1 to 255, such as 1 or 1, 3');
  }
  return ok([...new Set(codes)]);
};

const reservedGroups = new Set(['check', 'metrics']);

/** Group names `[A-Za-z0-9_.-]+`; `check` and `metrics` are taken by the HTTP API. */
export const groupList: Parser<readonly string[]> = (text) => {
  const names = listItems(text);
  if (names.some((name) => reservedGroups.has(name))) {
    return bad(
      'group names other than check and metrics (reserved for /check/<name> and /metrics)',
    );
  }
  if (!names.every((name) => namePattern.test(name))) {
    return bad('a list of group names made of A-Z a-z 0-9 _ . -, such as ready, live');
  }
  return ok([...new Set(names)]);
};

/** A check name, `[A-Za-z0-9_.-]+`. */
export const checkName: Parser<string> = (text) =>
  namePattern.test(text) ? ok(text) : bad('a check name made of A-Z a-z 0-9 _ . -');

const statusExpected = 'HTTP status codes or ranges from 100 to 599, such as 200-299 or 200, 204';

/** `200-299`, `200, 204`: codes 100-599, each range from <= to. */
export const statusRanges: Parser<readonly StatusRange[]> = (text) => {
  const ranges = listItems(text).map(statusRange);
  if (ranges.length === 0 || ranges.some((range) => range === null)) return bad(statusExpected);
  return ok(ranges.filter((range): range is StatusRange => range !== null));
};

function statusRange(item: string): StatusRange | null {
  const match = /^(\d{3})(?:-(\d{3}))?$/.exec(item);
  if (!match) return null;
  const from = Number(match[1]);
  const to = Number(match[2] ?? match[1]);
  return from >= 100 && to <= 599 && from <= to ? { from, to } : null;
}

/** `host:port` or `[IPv6]:port`, port 1-65535. */
export const tcpTarget: Parser<string> = (text) => {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  const v6 = match?.[1];
  const hostOk = v6 !== undefined ? isIPv6(v6) : match?.[2] !== undefined && host(match[2]).ok;
  if (match && hostOk && port >= 1 && port <= 65535) return ok(text);
  return bad('host:port or [IPv6]:port with a port from 1 to 65535, such as 127.0.0.1:5432');
};

/** An absolute http:// or https:// URL. */
export const httpUrl: Parser<string> = (text) => {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') {
    return ok(text);
  }
  return bad('an absolute http:// or https:// URL, such as http://127.0.0.1:8080/health');
};

/** A percentage 1-100, written `10%` or `10`. */
export const percent: Parser<number> = (text) => {
  const match = /^(\d{1,3})\s*%?$/.exec(text);
  const value = Number(match?.[1]);
  return match && value >= 1 && value <= 100 ? ok(value) : bad('a percentage from 1% to 100%');
};

export { isExecutableFile } from '../util/default-shell.js';

/** An absolute path to an existing executable file (the shell). */
export function executable(isExecutable: (file: string) => boolean): Parser<string> {
  return (text) =>
    isAbsolute(text) && isExecutable(text)
      ? ok(text)
      : bad('the absolute path of an existing executable file, such as /bin/sh');
}
