/** Showing untrusted mail safely: the HTML sanitizer, the plain-text renderer and the message frame. */
export { sanitizeMailHtml, type SanitizeMailOptions, type SanitizedMail } from './sanitize-mail-html.js';
export { renderPlainText, type PlainTextOptions } from './plain-text.js';
export { renderMessageFrame, messageFrameCsp, messageFrameHeaders, MESSAGE_FRAME_CSP } from './message-frame.js';
