import sanitizeHtml from 'sanitize-html';
import { ALLOWED_ATTRIBUTES, ALLOWED_ELEMENTS, DROPPED_WITH_CONTENT } from './allow-list.js';
import { filterStyle } from './css-filter.js';
import { decideImage, safeLinkHref, type ImagePolicy } from './url-policy.js';

/** How one message is to be sanitized. */
export interface SanitizeMailOptions extends ImagePolicy {
  /**
   * The URL of the message's own part with this Content-ID (without angle
   * brackets), or undefined when the message has none: `cid:` images
   * (RFC 2392) are shown through it, and dropped when it answers undefined.
   */
  cidUrl?: ((contentId: string) => string | undefined) | undefined;
  /** Keep http(s) images and CSS backgrounds (the reader asked to see them). Default false. */
  allowRemoteImages?: boolean | undefined;
}

/** A sanitized message body. */
export interface SanitizedMail {
  /** Well-formed HTML holding only allowed elements, attributes, URLs and styles. */
  html: string;
  /** Remote images, backgrounds and CSS url()s removed because remote images were not allowed. */
  blockedRemoteImages: number;
  /** Content-IDs of the message's parts shown inline through `cidUrl`, in order of first use. */
  inlineContentIds: string[];
  /**
   * True when the markup nested deeper than MAX_PARSER_DEPTH and only its text is shown
   * (the webmail may say "this message's formatting could not be shown").
   */
  flattened: boolean;
}

/**
 * Nesting deeper than this is flattened (the tags go, the text stays); real
 * mail stays far below it, and browsers stop nesting at 512 anyway.
 */
const MAX_NESTING = 256;

/**
 * The parser (htmlparser2) keeps its open elements in an array it shifts at the front, so each
 * level of nesting costs as much as the levels above it: a message of 500,000 unclosed <b>s would
 * take minutes. Past this depth the parse is stopped and the message is shown as its text.
 */
const MAX_PARSER_DEPTH = 10_000;

/** Stops a parse that nests too deep (thrown from the parser's callback, caught below). */
class TooDeep extends Error {}

/** Attributes holding the URL of a resource the browser loads by itself. */
const RESOURCE_URL_ATTRIBUTES = ['src', 'background'] as const;

/** sanitize-html's options, with one its type declarations lack (it exists since 2.8). */
type SanitizeHtmlOptions = sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] };

/** Element renamed on the way: a message's <body> keeps its colours and background as a <div>. */
const RENAMED: Readonly<Record<string, string>> = { body: 'div' };

/** The allow-list as sanitize-html options; the attribute checks are added per message. */
const ALLOW_LIST_OPTIONS: SanitizeHtmlOptions = {
  allowedTags: [...ALLOWED_ELEMENTS],
  allowedAttributes: Object.fromEntries(
    Object.entries(ALLOWED_ATTRIBUTES).map(([tag, attributes]) => [tag, [...attributes]]),
  ),
  nonTextTags: [...DROPPED_WITH_CONTENT],
  disallowedTagsMode: 'discard',
  // Schemes checked again by sanitize-html after our own URL policy: a second lock on the same door.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: Object.fromEntries(
    [...ALLOWED_ELEMENTS].map((tag) => [tag, tag === 'a' ? ['http', 'https', 'mailto'] : ['http', 'https', 'data']]),
  ),
  allowedSchemesAppliedToAttributes: ['href', 'src', 'background', 'cite', 'action', 'formaction', 'xlink:href', 'poster', 'longdesc', 'usemap', 'lowsrc', 'dynsrc'],
  allowProtocolRelative: false,
  // Our style filter has run; sanitize-html's own would re-serialise the result differently.
  parseStyleAttributes: false,
  allowedEmptyAttributes: ['alt', 'nowrap', 'noshade', 'reversed'],
  nestingLimit: MAX_NESTING,
  enforceHtmlBoundary: false,
};

/**
 * The parser closes elements implicitly (a <tr> closes an open <td>, a <div> a <p>) only when they
 * are the innermost open element; once a removed element between them is gone, the next parse
 * can nest differently. Re-running the allow-list on our own output until it no longer changes
 * makes the result a fixed point, so sanitizing it again gives it back unchanged.
 */
const MAX_SETTLING_PASSES = 4;

/**
 * Makes an untrusted HTML message body safe to show in the message frame:
 * an allow-list of elements and attributes, links limited to http, https and
 * mailto (opened in a new window without referrer), images limited to the
 * message's own parts, raster data: URLs and — only when allowed — remote
 * http(s) images, and inline styles limited to a set of layout properties.
 * Never throws for any string.
 */
export function sanitizeMailHtml(html: string, options: SanitizeMailOptions = {}): SanitizedMail {
  let blockedRemoteImages = 0;
  const usedContentIds = new Set<string>();

  const transformAttributes = (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
    const name = RENAMED[tagName] ?? tagName;
    const out: sanitizeHtml.Attributes = {};
    for (const [attribute, value] of Object.entries(attribs)) {
      // Event handlers, srcset, formaction, xlink:href, class, id … are not in the allow-list and
      // are dropped later; only the attributes whose values need checking are handled here.
      if (attribute === 'style') {
        const filtered = filterStyle(value, options, usedContentIds);
        blockedRemoteImages += filtered.blockedRemote;
        if (filtered.style) out.style = filtered.style;
      } else if (attribute === 'href') {
        const href = name === 'a' ? safeLinkHref(value) : undefined;
        if (href !== undefined) out.href = href;
      } else if ((RESOURCE_URL_ATTRIBUTES as readonly string[]).includes(attribute)) {
        if (attribute === 'src' && name !== 'img') continue;
        const decision = decideImage(value, options, usedContentIds);
        if ('url' in decision) out[attribute] = decision.url;
        else if ('blockedRemote' in decision) blockedRemoteImages++;
      } else if (attribute !== 'target' && attribute !== 'rel') {
        out[attribute] = value;
      }
    }
    if (name === 'a') {
      // A link leaves the message: a new window, no window.opener, no Referer naming the webmail.
      out.target = '_blank';
      out.rel = 'noopener noreferrer';
    }
    return { tagName: name, attribs: out };
  };

  let depth = 0;
  let cleaned: string;
  try {
    cleaned = sanitizeHtml(html, {
      ...ALLOW_LIST_OPTIONS,
      transformTags: { '*': transformAttributes },
      onOpenTag: () => {
        if (++depth > MAX_PARSER_DEPTH) throw new TooDeep();
      },
      onCloseTag: () => {
        depth--;
      },
    });
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    return { html: textOnly(html), blockedRemoteImages: 0, inlineContentIds: [], flattened: true };
  }
  for (let pass = 0; pass < MAX_SETTLING_PASSES; pass++) {
    const settled = sanitizeHtml(cleaned, ALLOW_LIST_OPTIONS);
    if (settled === cleaned) break;
    cleaned = settled;
  }

  return { html: cleaned, blockedRemoteImages, inlineContentIds: [...usedContentIds], flattened: false };
}

/**
 * The text of markup too deep to parse: every tag-like run is cut out without a parser (linear),
 * then what is left — with no "<" in it — is decoded and escaped by sanitize-html with no tags allowed.
 */
function textOnly(html: string): string {
  const text = html.replace(/<[^>]*>?/g, ' ').replace(/[ \t]{2,}/g, ' ');
  return `<div>${sanitizeHtml(text, { allowedTags: [], allowedAttributes: {} })}</div>`;
}
