import { decideImage, type ImagePolicy } from './url-policy.js';

/**
 * The CSS a message may use in its style attributes: text, colour, box and
 * table layout. Not allowed: anything that loads or runs something other than
 * an image (behavior, -moz-binding, expression(), @import, cursor and font
 * URLs), takes the element out of the flow to lie over other content
 * (position other than static/relative, z-index), or hides in CSS escapes.
 */
const ALLOWED_PROPERTIES = new Set([
  'color', 'background', 'background-color', 'background-image', 'background-repeat',
  'background-position', 'background-size',
  'border', 'border-top', 'border-right', 'border-bottom', 'border-left',
  'border-color', 'border-style', 'border-width', 'border-radius',
  'border-top-color', 'border-right-color', 'border-bottom-color', 'border-left-color',
  'border-top-style', 'border-right-style', 'border-bottom-style', 'border-left-style',
  'border-top-width', 'border-right-width', 'border-bottom-width', 'border-left-width',
  'border-collapse', 'border-spacing',
  'margin', 'margin-top', 'margin-right', 'margin-bottom', 'margin-left',
  'padding', 'padding-top', 'padding-right', 'padding-bottom', 'padding-left',
  'width', 'height', 'min-width', 'min-height', 'max-width', 'max-height', 'box-sizing',
  'font', 'font-family', 'font-size', 'font-style', 'font-weight', 'font-variant',
  'line-height', 'letter-spacing', 'word-spacing',
  'text-align', 'text-decoration', 'text-indent', 'text-transform', 'text-shadow',
  'white-space', 'word-wrap', 'word-break', 'overflow-wrap', 'vertical-align', 'direction',
  'list-style', 'list-style-type', 'list-style-position', 'list-style-image',
  'table-layout', 'caption-side', 'empty-cells',
  'display', 'visibility', 'float', 'clear', 'overflow', 'overflow-x', 'overflow-y', 'opacity',
  'position',
]);

/** Functions a value may call; url() is checked on its own. */
const ALLOWED_FUNCTIONS = new Set([
  'rgb', 'rgba', 'hsl', 'hsla', 'calc', 'url', 'linear-gradient', 'radial-gradient',
]);

/** position: only values that keep the element in the flow of the message. */
const ALLOWED_POSITIONS = new Set(['static', 'relative']);

/** A style attribute longer than this is dropped whole (no mail needs it; a parser bomb might). */
const MAX_STYLE_LENGTH = 16_384;

/** What filtering a style attribute gave. */
export interface FilteredStyle {
  /** The declarations kept, "prop: value" joined by "; ", or '' when none is left. */
  style: string;
  /** url()s of remote images that were dropped (with their declarations). */
  blockedRemote: number;
}

/** Splits on `separator` where it is outside quotes and parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
    } else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

const URL_FUNCTION = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)/gi;

/**
 * Filters one declaration's value: undefined when the declaration must go.
 * URLs are rewritten to their checked form; a remote one that is blocked is counted.
 */
function filterValue(
  property: string,
  value: string,
  policy: ImagePolicy,
  usedContentIds: Set<string>,
  counts: { blockedRemote: number },
): string | undefined {
  // CSS escapes (\6a avascript, \28), braces and markup characters have no place in mail styles.
  if (/[\\<>{}]/.test(value) || /@import/i.test(value) || /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(value)) return undefined;
  // Words that only an attack puts in a style, even quoted or glued to other text.
  if (/expression|javascript|vbscript|behavior|binding/i.test(value)) return undefined;
  // Outside url() and strings a value has no colon; one there means a declaration run into another.
  if (value.replace(URL_FUNCTION, '').replace(/"[^"]*"|'[^']*'/g, '').includes(':')) return undefined;
  if (property === 'position' && !ALLOWED_POSITIONS.has(value.toLowerCase())) return undefined;
  // Every function call must be one we know; expression(), var(), attr(), image-set() and so on are refused.
  for (const match of value.matchAll(/([a-z-]*)\s*\(/gi)) {
    if (!ALLOWED_FUNCTIONS.has((match[1] ?? '').toLowerCase())) return undefined;
  }
  let refused = false;
  const rewritten = value.replace(URL_FUNCTION, (_whole, dq?: string, sq?: string, bare?: string) => {
    const decision = decideImage(dq ?? sq ?? bare ?? '', policy, usedContentIds);
    if ('url' in decision) return `url("${decision.url}")`;
    if ('blockedRemote' in decision) counts.blockedRemote++;
    refused = true;
    return '';
  });
  if (refused) return undefined;
  // A url( that the pattern above did not take (unbalanced, odd quoting) is not let through.
  const withoutUrls = rewritten.replace(/url\("[^"]*"\)/gi, '');
  if (/url\s*\(/i.test(withoutUrls)) return undefined;
  return rewritten;
}

/**
 * Filters an inline style attribute down to the allowed properties and values.
 * Comments are removed first (they separate tokens, and "exp/ ** /ression" is an old trick).
 */
export function filterStyle(style: string, policy: ImagePolicy, usedContentIds: Set<string>): FilteredStyle {
  const counts = { blockedRemote: 0 };
  if (style.length > MAX_STYLE_LENGTH) return { style: '', blockedRemote: 0 };
  const uncommented = style.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ');
  const kept: string[] = [];
  for (const declaration of splitTopLevel(uncommented, ';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    if (!ALLOWED_PROPERTIES.has(property)) continue;
    const rawValue = declaration.slice(colon + 1).replace(/\s+/g, ' ').trim();
    if (!rawValue || /["']/.test(rawValue.replace(/"[^"]*"|'[^']*'/g, ''))) continue;
    const value = filterValue(property, rawValue, policy, usedContentIds, counts);
    if (value) kept.push(`${property}: ${value}`);
  }
  return { style: kept.join('; '), blockedRemote: counts.blockedRemote };
}
