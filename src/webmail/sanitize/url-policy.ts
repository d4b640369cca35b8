/**
 * Which URLs a message may use, and in what form they are written back.
 *
 * Every URL goes through the WHATWG URL parser, the one the browser uses, so
 * what we check is what the browser would load: it removes tabs and newlines
 * anywhere and C0 controls and spaces at the ends ("java\tscript:",
 * " javascript:"), lower-cases the scheme ("JaVaScRiPt:"), and anything that
 * is not an absolute URL (relative paths, "//host", "\\host", entity tricks
 * that survive decoding such as "javascript&colon;") fails to parse and is
 * dropped. Relative URLs are never kept: inside the message frame they would
 * point at the webmail itself, with the reader's cookies.
 */

/** Schemes a link may use. */
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
/** Schemes of images (and other embedded resources) that are fetched from elsewhere. */
const REMOTE_SCHEMES = new Set(['http:', 'https:']);

/**
 * Inline image data: raster types only. SVG is refused: an SVG document can
 * carry script and links of its own.
 */
const DATA_IMAGE =
  /^data:image\/(?:png|gif|jpeg|jpg|webp)(?:;[a-z0-9-]+=[a-z0-9._-]+)*;base64,[a-z0-9+/]*={0,2}$/i;

/** What an image (or CSS background) URL turned out to be. */
export type ImageSource =
  | { kind: 'inline'; url: string; contentId: string }
  | { kind: 'data'; url: string }
  | { kind: 'remote'; url: string }
  | { kind: 'refused' };

/** How the message's own parts and remote images are treated. */
export interface ImagePolicy {
  cidUrl?: ((contentId: string) => string | undefined) | undefined;
  allowRemoteImages?: boolean | undefined;
}

function parseAbsolute(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** A link target that may be kept, in its normalised form, or undefined when it must go. */
export function safeLinkHref(raw: string): string | undefined {
  const url = parseAbsolute(raw);
  if (!url || !LINK_SCHEMES.has(url.protocol)) return undefined;
  return url.href;
}

/**
 * A URL produced by `cidUrl` is ours, but it is still written into the page:
 * it must be a same-origin path or an http(s) URL, and it is percent-encoded
 * where CSS or HTML would read a character as syntax.
 */
function safeOwnUrl(raw: string): string | undefined {
  if (/^[/\\]{2}/.test(raw.trim())) return undefined;
  const url = parseAbsolute(raw);
  if (url && !REMOTE_SCHEMES.has(url.protocol)) return undefined;
  if (!url && /^[^/?#]*:/.test(raw)) return undefined;
  return raw.replace(/["'()\\\s<>]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/**
 * Classifies the URL of an image or background.
 * RFC 2392 §2: "cid:" names a body part by its Content-ID, URL-encoded, without the angle brackets.
 */
export function classifyImageUrl(raw: string): ImageSource {
  // The URL parser would keep spaces and line breaks inside a data: URL; base64 ignores them.
  const compact = raw.replace(/[\s\u0000-\u001f]+/g, '');
  if (/^data:/i.test(compact)) {
    return DATA_IMAGE.test(compact) ? { kind: 'data', url: compact } : { kind: 'refused' };
  }
  const url = parseAbsolute(raw);
  if (!url) return { kind: 'refused' };
  if (url.protocol === 'cid:') {
    let contentId: string;
    try {
      contentId = decodeURIComponent(url.href.slice('cid:'.length));
    } catch {
      return { kind: 'refused' };
    }
    contentId = contentId.replace(/^<|>$/g, '');
    return contentId ? { kind: 'inline', url: '', contentId } : { kind: 'refused' };
  }
  if (REMOTE_SCHEMES.has(url.protocol)) return { kind: 'remote', url: url.href };
  return { kind: 'refused' };
}

/** What becomes of an image URL under the policy. */
export type ImageDecision = { url: string } | { blockedRemote: true } | { refused: true };

/** Applies the policy: inline parts through `cidUrl`, data images kept, remote ones blocked unless allowed. */
export function decideImage(raw: string, policy: ImagePolicy, usedContentIds: Set<string>): ImageDecision {
  const source = classifyImageUrl(raw);
  switch (source.kind) {
    case 'data':
      return { url: source.url };
    case 'inline': {
      const own = policy.cidUrl?.(source.contentId);
      const url = own === undefined ? undefined : safeOwnUrl(own);
      if (url === undefined) return { refused: true };
      usedContentIds.add(source.contentId);
      return { url };
    }
    case 'remote':
      return policy.allowRemoteImages ? { url: source.url } : { blockedRemote: true };
    case 'refused':
      return { refused: true };
  }
}
