import { escapeHtml } from './html-escape.js';
import { safeLinkHref } from './url-policy.js';

/** How a text/plain body is to be read. */
export interface PlainTextOptions {
  /** Content-Type parameter format=flowed (RFC 3676). */
  flowed?: boolean | undefined;
  /** Content-Type parameter delsp=yes (RFC 3676 §4.2); only with `flowed`. */
  delSp?: boolean | undefined;
}

interface LogicalLine {
  depth: number;
  text: string;
}

/** RFC 3676 §4.3: the signature separator "-- " is never a flowed line. */
const SIGNATURE_SEPARATOR = '-- ';

/** URLs worth a link in plain text: http(s)://…, www.…, mailto:… */
const URL_IN_TEXT = /\b(?:https?:\/\/|www\.|mailto:)[^\s<>"]+/gi;

/** Trailing punctuation belongs to the sentence, not the URL; a closing bracket only if unopened. */
function trimUrl(candidate: string): string {
  let end = candidate.length;
  let unmatched = (candidate.match(/\)/g)?.length ?? 0) - (candidate.match(/\(/g)?.length ?? 0);
  for (;;) {
    const last = candidate[end - 1];
    if (last !== undefined && '.,;:!?\'"'.includes(last)) end--;
    else if (last === ')' && unmatched > 0) {
      end--;
      unmatched--;
    } else return candidate.slice(0, end);
  }
}

/** One line of text as HTML: escaped, with its URLs as links that open outside the frame. */
function linkify(line: string): string {
  let out = '';
  let last = 0;
  for (const match of line.matchAll(URL_IN_TEXT)) {
    const url = trimUrl(match[0]);
    const start = match.index;
    const href = safeLinkHref(/^www\./i.test(url) ? `http://${url}` : url);
    if (!href) continue;
    out += escapeHtml(line.slice(last, start));
    out += `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(url)}</a>`;
    last = start + url.length;
  }
  return out + escapeHtml(line.slice(last));
}

/** Splits off the quote marks. Flowed: ">" only, no spaces between (RFC 3676 §4.5); fixed: "> > " too. */
function quoteDepth(line: string, flowed: boolean): LogicalLine {
  const marks = flowed ? /^>+/.exec(line) : /^(?:> ?)+/.exec(line);
  if (!marks) return { depth: 0, text: line };
  const depth = (marks[0].match(/>/g) ?? []).length;
  return { depth, text: line.slice(marks[0].length) };
}

/** RFC 3676 §4.2: joins soft line breaks of one quote depth into paragraphs. */
function unflow(lines: LogicalLine[], delSp: boolean): LogicalLine[] {
  const out: LogicalLine[] = [];
  let open: LogicalLine | undefined;
  for (const raw of lines) {
    // RFC 3676 §4.4: a space-stuffed line had one space added in front; take it away.
    const text = raw.text.startsWith(' ') ? raw.text.slice(1) : raw.text;
    const line = { depth: raw.depth, text };
    if (open && open.depth === line.depth) open.text += line.text;
    else {
      if (open) out.push(open);
      open = { ...line };
    }
    const soft = line.text.endsWith(' ') && line.text !== SIGNATURE_SEPARATOR;
    if (!soft) {
      out.push(open);
      open = undefined;
    } else if (delSp) {
      // RFC 3676 §4.2: with DelSp=yes the space before a soft break is not part of the text.
      open.text = open.text.slice(0, -1);
    }
  }
  if (open) out.push(open);
  return out;
}

/**
 * A text/plain body as HTML for the message frame: escaped, URLs as links,
 * quoted lines ("> ") as nested blockquotes, and — for format=flowed —
 * soft line breaks joined so paragraphs wrap to the reader's window.
 * Line breaks are kept by the frame's `.hopthu-plain { white-space: pre-wrap }`.
 */
export function renderPlainText(text: string, options: PlainTextOptions = {}): string {
  const flowed = options.flowed === true;
  const physical = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n').map((line) => quoteDepth(line, flowed));
  const lines = flowed ? unflow(physical, options.delSp === true) : physical;
  let html = '<div class="hopthu-plain">';
  let depth = 0;
  let afterLine = false;
  for (const line of lines) {
    if (line.depth !== depth) {
      html += line.depth > depth ? '<blockquote>'.repeat(line.depth - depth) : '</blockquote>'.repeat(depth - line.depth);
      depth = line.depth;
      afterLine = false;
    }
    if (afterLine) html += '\n';
    html += linkify(line.text);
    afterLine = true;
  }
  return html + '</blockquote>'.repeat(depth) + '</div>';
}
