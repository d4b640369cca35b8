import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { BASE_CSS } from './base-css.js';
import { BASE_JS } from './base-js.js';
import { SETTINGS_CSS } from '../settings/style.js';
import { SETTINGS_JS } from '../settings/script.js';
import { COMPOSE_CSS } from '../compose/style.js';
import { COMPOSE_JS } from '../compose/script.js';
import { HR_CSS } from '../admin/hr-style.js';
import { SEC_CSS } from '../admin/sec-style.js';
import { MAIL_CSS } from '../mail/style.js';
import { MAIL_JS } from '../mail/script.js';

/**
 * The parts' stylesheets and scripts, joined into one CSS and one JS file each (two
 * requests per cold page, cached for a year: the name carries the content's hash).
 * A part of the webmail adds its own here.
 */
const CSS_PARTS: readonly string[] = [BASE_CSS, SETTINGS_CSS, COMPOSE_CSS, HR_CSS, SEC_CSS, MAIL_CSS];
const JS_PARTS: readonly string[] = [BASE_JS, SETTINGS_JS, COMPOSE_JS, MAIL_JS];

export interface Asset {
  path: string;
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  brotli: Buffer;
}

function asset(name: string, ext: string, contentType: string, text: string): Asset {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return {
    path: `/assets/${name}.${hash}.${ext}`,
    contentType,
    body,
    gzip: gzipSync(body, { level: 9 }),
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  };
}

const minifyCss = (css: string) => css.replace(/\n+/g, '\n').trim();

export const STYLESHEET = asset('app', 'css', 'text/css; charset=utf-8', minifyCss(CSS_PARTS.join('\n')));
// each part in its own function scope, so their names do not meet
export const SCRIPT = asset('app', 'js', 'text/javascript; charset=utf-8', JS_PARTS.map((js) => `(function(){'use strict';${js.trim()}})();`).join('\n'));
export const ASSETS: readonly Asset[] = [STYLESHEET, SCRIPT];
