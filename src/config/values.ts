/** A raw value read as the operator plainly meant it, or the reason it cannot be. */
export type Interpreted =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

/** True for a value run by the shell: `command` anywhere, and `[agent] weight = command:...`. */
export function isShellValue(section: string, key: string, rawValue: string): boolean {
  if (key === 'command') return true;
  return section === 'agent' && key === 'weight' && rawValue.trim().startsWith('command:');
}

/** Wraps a value in the quote kind it does not contain; null when it holds both kinds. */
export function quoteValue(value: string): string | null {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return null;
}

/** True when a value written bare would not read back as itself. */
export function needsQuoting(value: string, shell: boolean): boolean {
  if (value === '') return false;
  if (value !== value.trim()) return true;
  if (/^["';#]/.test(value)) return true;
  return shell ? /[;#]/.test(value) : /\s[;#]/.test(value);
}

/** `key = "value"` as the fix to show, or advice when no quote kind fits. */
function quotedFix(key: string, value: string): string {
  const quoted = quoteValue(value);
  if (quoted !== null) return `quote the whole value: ${key} = ${quoted}`;
  return 'the value holds both quote kinds, so it cannot be quoted: move the command into a script and run that';
}

/** Interprets one raw value: quoted literally, or bare with the comment rules of its key. */
export function interpretValue(rawValue: string, key: string, shell: boolean): Interpreted {
  const text = rawValue.trim();
  if (text.startsWith('"') || text.startsWith("'")) return interpretQuoted(text, key);
  return shell ? interpretBareShell(text, key) : interpretBare(text);
}

/** A quoted value is the text up to the matching quote, kept literally (no escapes: shells need backslashes). */
function interpretQuoted(text: string, key: string): Interpreted {
  const quote = text.charAt(0);
  const close = text.indexOf(quote, 1);
  if (close < 0) {
    const message = `unterminated quote: expected a closing ${quote} on the same line, found ${JSON.stringify(text)}`;
    return { ok: false, message };
  }
  const rest = text.slice(close + 1);
  if (rest === '' || /^\s+[;#]/.test(rest)) return { ok: true, value: text.slice(1, close) };
  const message = `text after the closing quote: expected nothing or a " ; comment", found ${JSON.stringify(rest)}; ${quotedFix(key, text)}`;
  return { ok: false, message };
}

/** A bare shell command: `;` or `#` would be cut by an INI reader, so it is refused with the fix. */
function interpretBareShell(text: string, key: string): Interpreted {
  const at = text.search(/[;#]/);
  if (at < 0) return { ok: true, value: text };
  const char = text.charAt(at);
  const before = text.slice(0, at).trimEnd();
  const comment =
    at > 0 && /\s/.test(text.charAt(at - 1)) && quoteValue(before) !== null
      ? ` (if "${text.slice(at)}" is a comment: ${key} = ${quoteValue(before)} ${text.slice(at)})`
      : '';
  const message = `'${char}' starts an INI comment; ${quotedFix(key, text)}${comment}`;
  return { ok: false, message };
}

/** Any other bare value: ` ;` or ` #` after whitespace starts a comment; a `;` inside a word stays. */
function interpretBare(text: string): Interpreted {
  const at = text.search(/(^|\s)[;#]/);
  return { ok: true, value: (at < 0 ? text : text.slice(0, at)).trim() };
}
