import type { Perfdata, PerfdataValue } from '../types.js';

/*
 * Nagios plugin performance data, as the Nagios Plugin Development Guidelines
 * (nagios-plugins.org/doc/guidelines.html, "Plugin Output" and "Performance data") write it:
 *
 *   TEXT OUTPUT | OPTIONAL PERFDATA
 *   LONG TEXT LINE 1
 *   LONG TEXT LINE 2 | PERFDATA LINE 2
 *   PERFDATA LINE 3
 *
 * Each item is `'label'=value[UOM];[warn];[crit];[min];[max]`, items separated by spaces; a
 * label with spaces is quoted with `'`, and `''` inside quotes is one quote mark.
 */

/** The units of measure the guidelines name, plus GB and PB, which plugins print too. */
const units = new Set(['', 's', 'ms', 'us', '%', 'B', 'KB', 'MB', 'GB', 'TB', 'PB', 'c']);
const numberPattern = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;
const rangePattern =
  /^@?(?:~|[-+]?(?:\d+(?:\.\d*)?|\.\d+))?(?::(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+))?)?$/;
const capturedMarker = /\n\[Captured \d+ of \d+ bytes\]$/;
/** Bounds the work on hostile output (the output itself is capped at 4 KiB). */
const maxItems = 100;

/**
 * Reads the performance data out of a check's output. Never throws: a malformed item is
 * skipped with a note, and output without `|` has no perfdata.
 *
 * @param output stdout+stderr as captured, possibly ending with the `[Captured N of M bytes]` marker
 * @returns the items in order and a note for each one skipped
 */
export function parsePerfdata(output: string): Perfdata {
  const cut = capturedMarker.test(output);
  const text = perfdataText(output.replace(capturedMarker, ''));
  const tokens = tokenize(text);
  const notes: string[] = [];
  if (cut && tokens.length > 0) {
    tokens.pop();
    notes.push('perfdata: the last item was dropped, the output was cut at 4 KiB');
  }
  const values: PerfdataValue[] = [];
  for (const token of tokens.slice(0, maxItems)) {
    const item = parseItem(token);
    if (typeof item === 'string') notes.push(`perfdata: ${item}`);
    else if (values.some((seen) => seen.label === item.label))
      notes.push(`perfdata: label ${show(item.label)} repeated; the first one counts`);
    else values.push(item);
  }
  if (tokens.length > maxItems) notes.push(`perfdata: items after the first ${maxItems} ignored`);
  return { values, notes };
}

/** The perfdata parts of the output: after `|` on line 1, and after the first `|` of a later line onwards. */
function perfdataText(output: string): string {
  const [first = '', ...rest] = output.split('\n');
  const parts: string[] = [];
  const bar = first.indexOf('|');
  if (bar >= 0) parts.push(first.slice(bar + 1));
  const later = rest.findIndex((line) => line.includes('|'));
  if (later >= 0) {
    const line = rest[later] ?? '';
    parts.push(line.slice(line.indexOf('|') + 1), ...rest.slice(later + 1));
  }
  return parts.join(' ');
}

/** Splits on white space outside single quotes; `''` inside quotes stays in the token. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      if (current !== '') tokens.push(current);
      current = '';
      if (tokens.length > maxItems) return tokens;
      continue;
    }
    current += char;
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

/** One `label=value[UOM];warn;crit;min;max` item, or why it was skipped. */
function parseItem(token: string): PerfdataValue | string {
  const split = splitLabel(token);
  if (split === null) return `${show(token)} is not label=value`;
  const [label, data] = split;
  const [reading = '', warn = '', crit = '', min = '', max = ''] = data.split(';');
  const number = numberPattern.exec(reading)?.[0];
  if (number === undefined) return `${show(token)}: the value is not a number`;
  const value = Number(number);
  if (!Number.isFinite(value)) return `${show(token)}: the value is out of range`;
  const unit = reading.slice(number.length);
  if (!units.has(unit)) return `${show(token)}: unknown unit ${show(unit)}`;
  const bounds = [min, max].map(optionalNumber);
  const [low, high] = bounds;
  if (low === undefined || high === undefined) return `${show(token)}: min or max is not a number`;
  if (!rangePattern.test(warn) || !rangePattern.test(crit))
    return `${show(token)}: warn or crit is not a threshold range`;
  return { label, value, unit, warn: warn || null, crit: crit || null, min: low, max: high };
}

/** Splits `label=data`; a quoted label may hold spaces and `=`, with `''` for a quote mark. */
function splitLabel(token: string): [string, string] | null {
  if (token.startsWith("'")) {
    const match = /^'((?:[^']|'')+)'=(.*)$/s.exec(token);
    return match ? [(match[1] ?? '').replaceAll("''", "'"), match[2] ?? ''] : null;
  }
  const equals = token.indexOf('=');
  if (equals <= 0 || token.slice(0, equals).includes("'")) return null;
  return [token.slice(0, equals), token.slice(equals + 1)];
}

/** An empty field is null; a field that is not a plain number is undefined (malformed). */
function optionalNumber(field: string): number | null | undefined {
  if (field === '') return null;
  const match = numberPattern.exec(field)?.[0];
  return match === field && Number.isFinite(Number(field)) ? Number(field) : undefined;
}

/** A token as a note shows it: quoted, at most 40 characters. */
function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
