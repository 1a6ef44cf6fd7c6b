/**
 * The first line of `text` that is not blank, trimmed; `''` when there is none. Any line break
 * counts (`\n`, `\r\n`, a lone `\r`): command output comes from any program.
 */
export function firstLine(text: string): string {
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return '';
}

/** `text` with `line` added on a line of its own. */
export function appendLine(text: string, line: string): string {
  return text === '' ? line : `${text.replace(/\n$/, '')}\n${line}`;
}
