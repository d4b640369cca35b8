/**
 * The elements and attributes an HTML message keeps. Everything not named here
 * is removed; the elements in DROPPED_WITH_CONTENT go with everything inside
 * them, the others (html, body, o:p, unknown tags) leave their text behind.
 */

/** Text and layout elements of ordinary mail. */
export const ALLOWED_ELEMENTS: readonly string[] = [
  'p', 'div', 'span', 'br', 'hr', 'a', 'b', 'i', 'u', 'strong', 'em', 'font',
  'blockquote', 'pre', 'code', 'tt', 'kbd', 'samp', 'var',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption', 'colgroup', 'col',
  'img', 'center', 'small', 'big', 'sub', 'sup', 's', 'strike', 'del', 'ins', 'mark',
  'abbr', 'acronym', 'address', 'cite', 'q', 'dfn', 'time', 'wbr', 'nobr',
  'article', 'section', 'header', 'footer', 'main', 'nav', 'aside', 'figure', 'figcaption',
  'bdi', 'bdo', 'ruby', 'rt', 'rp',
];

/**
 * Removed together with their content: active content, embedded documents,
 * forms, document metadata, and the raw-text and foreign-content elements
 * whose insides browsers parse differently from HTML (the root of mutation XSS).
 * <style> is dropped whole too: its rules would apply to the whole frame, and
 * inline style attributes carry the layout of real mail. A <form> itself only
 * loses its tag (some generators wrap a whole message in one); its controls go.
 */
export const DROPPED_WITH_CONTENT: readonly string[] = [
  'script', 'style', 'template', 'noscript', 'noembed', 'noframes', 'iframe', 'frame', 'frameset',
  'object', 'embed', 'applet', 'param', 'svg', 'math', 'input', 'button', 'select', 'option',
  'optgroup', 'datalist', 'textarea', 'output', 'title', 'xmp', 'plaintext', 'listing',
  'audio', 'video', 'source', 'track', 'canvas', 'map', 'area', 'portal', 'dialog',
  'meta', 'link', 'base', 'basefont', 'bgsound', 'marquee', 'blink', 'isindex', 'keygen',
  'xml', 'slot',
];

/** Presentation attributes that mail of every age uses, allowed on any kept element. */
const COMMON_ATTRIBUTES = [
  'title', 'dir', 'lang', 'align', 'valign', 'width', 'height', 'bgcolor', 'style', 'background',
];

/** Attributes kept per element (besides COMMON_ATTRIBUTES). class and id are dropped everywhere. */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  '*': COMMON_ATTRIBUTES,
  a: ['href', 'target', 'rel'],
  img: ['src', 'alt', 'border', 'hspace', 'vspace'],
  font: ['color', 'face', 'size'],
  table: ['border', 'cellpadding', 'cellspacing', 'frame', 'rules', 'summary'],
  td: ['colspan', 'rowspan', 'nowrap', 'abbr', 'scope'],
  th: ['colspan', 'rowspan', 'nowrap', 'abbr', 'scope'],
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value', 'type'],
  hr: ['size', 'noshade', 'color'],
  time: ['datetime'],
};
