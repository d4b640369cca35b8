/**
 * The document a message is shown in. The webmail serves it from its own URL
 * and shows it in
 *   <iframe sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox">
 * so that even a sanitizer bug cannot run script (no allow-scripts), submit a
 * form, or navigate the webmail (no allow-top-navigation); links open in a new
 * window that is not sandboxed. allow-same-origin lets the message's own inline
 * images load with the reader's session and lets the webmail size the frame to
 * its content; it is safe only because scripts stay off. The CSP below says the
 * same again for the case the frame's URL is opened on its own.
 */

import { escapeHtml } from './html-escape.js';

const BASE_DIRECTIVES = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'unsafe-inline'",
  "font-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  // The iframe's sandbox, repeated for a frame URL opened in a tab of its own.
  'sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox',
];

/**
 * The Content-Security-Policy of a message frame. Images: the webmail's own
 * URLs (inline parts) and data: images; http(s) images only when the reader
 * allowed remote images for this message.
 */
export function messageFrameCsp(options: { allowRemoteImages?: boolean } = {}): string {
  const images = options.allowRemoteImages ? "img-src 'self' data: https: http:" : "img-src 'self' data:";
  return [...BASE_DIRECTIVES, images].join('; ');
}

/** The Content-Security-Policy of a message frame with remote images blocked. */
export const MESSAGE_FRAME_CSP: string = messageFrameCsp();

/** Every header the message frame is served with. */
export function messageFrameHeaders(options: { allowRemoteImages?: boolean } = {}): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': messageFrameCsp(options),
    // Remote images, when allowed, must not learn the frame's URL (it names the message).
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  };
}

/**
 * Readable on an old 1366×768 screen: a common system font at a comfortable
 * size, images and wide tables shrunk to the frame, long words and URLs broken.
 */
const BASE_STYLESHEET = `
html { background: #fff; color: #1f1f1f; }
body { margin: 12px 16px; font: 15px/1.5 "Segoe UI", Tahoma, Arial, "Noto Sans", "DejaVu Sans", sans-serif;
  overflow-wrap: break-word; word-wrap: break-word; }
img { max-width: 100%; height: auto; }
table { max-width: 100%; }
pre { white-space: pre-wrap; }
pre, code, tt { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.93em; }
blockquote { margin: 0.5em 0 0.5em 0.3em; padding-left: 0.8em; border-left: 3px solid #c6cbd1; color: #444; }
a { color: #0b57d0; }
.hopthu-plain { white-space: pre-wrap; }
.hopthu-plain blockquote { margin: 0; }
`;

/**
 * A complete HTML document around a body that `sanitizeMailHtml` or
 * `renderPlainText` made. `lang` is a BCP 47 tag (default "vi"); an invalid
 * one is replaced by the default.
 */
export function renderMessageFrame(sanitizedHtml: string, options: { lang?: string; title?: string } = {}): string {
  const lang = options.lang && /^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$/.test(options.lang) ? options.lang : 'vi';
  return (
    '<!DOCTYPE html>\n' +
    `<html lang="${lang}"><head><meta charset="utf-8">` +
    '<meta name="referrer" content="no-referrer">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(options.title ?? '')}</title>` +
    `<style>${BASE_STYLESHEET}</style>` +
    `</head><body>${sanitizedHtml}</body></html>\n`
  );
}
