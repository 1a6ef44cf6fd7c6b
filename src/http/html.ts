/** HTML that is already safe: only `safeHtml` and `raw` make one. */
export interface Markup {
  readonly markup: string;
}

/** What `safeHtml` interpolates: text and numbers are escaped, Markup is kept. */
export type Value = string | number | Markup | readonly Markup[];

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char] ?? char);
}

/** A template whose every interpolated value is escaped unless it is already Markup. */
export function safeHtml(strings: TemplateStringsArray, ...values: readonly Value[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, i) => (out += render(value) + (strings[i + 1] ?? '')));
  return { markup: out };
}

function render(value: Value): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return escapeHtml(String(value));
  if ('markup' in value) return value.markup;
  return value.map((item) => item.markup).join('');
}

/** Markup from a constant the page owns (the stylesheet); never from a value. */
export function raw(markup: string): Markup {
  return { markup };
}
