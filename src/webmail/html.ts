/**
 * HTML made by the server. Every page is built with the `html` tag: interpolated values
 * are escaped unless they are already `SafeHtml` (another `html` result), so a name, a
 * subject or an address can never become markup. Sanitized mail bodies are the one other
 * source of SafeHtml (`trustedHtml`), and only the sanitizer's output may be passed there.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content or a quoted attribute value. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A value `html` accepts: text (escaped), numbers, SafeHtml, lists of these; null, undefined and false print nothing. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The template tag for every page and fragment. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Marks markup made elsewhere as safe: only for the mail sanitizer's output and the server's own assets. */
export const trustedHtml = (markup: string): SafeHtml => new SafeHtml(markup);

/** `selected`/`checked`-style boolean attributes. */
export const attrIf = (condition: boolean, name: string): SafeHtml => new SafeHtml(condition ? ` ${name}` : '');
