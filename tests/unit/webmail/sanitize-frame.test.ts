import { describe, expect, it } from 'vitest';
import {
  MESSAGE_FRAME_CSP,
  messageFrameCsp,
  messageFrameHeaders,
  renderMessageFrame,
  renderPlainText,
} from '../../../src/webmail/sanitize/index.js';

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
}

describe('message frame CSP', () => {
  it('allows no script, inline styles only, own and data: images, no base, forms or foreign framing', () => {
    const csp = directives(MESSAGE_FRAME_CSP);
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'none'");
    expect(csp.get('style-src')).toBe("'unsafe-inline'");
    expect(csp.get('img-src')).toBe("'self' data:");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('form-action')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'self'");
    expect(csp.get('sandbox')).toBe('allow-same-origin allow-popups allow-popups-to-escape-sandbox');
  });

  it('adds http: and https: images only when remote images are allowed', () => {
    expect(directives(messageFrameCsp({ allowRemoteImages: true })).get('img-src')).toBe("'self' data: https: http:");
    expect(messageFrameCsp({ allowRemoteImages: false })).toBe(MESSAGE_FRAME_CSP);
    expect(messageFrameHeaders()['content-security-policy']).toBe(MESSAGE_FRAME_CSP);
    expect(messageFrameHeaders()['referrer-policy']).toBe('no-referrer');
  });
});

describe('renderMessageFrame', () => {
  it('wraps the body in a complete document with the base stylesheet', () => {
    const doc = renderMessageFrame('<p>Xin chào</p>', { title: 'Thư <mời> & "họp"' });
    expect(doc.startsWith('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">')).toBe(true);
    expect(doc).toContain('<title>Thư &lt;mời&gt; &amp; &quot;họp&quot;</title>');
    expect(doc).toContain('img { max-width: 100%; height: auto; }');
    expect(doc).toContain('<meta name="referrer" content="no-referrer">');
    expect(doc).toContain('<body><p>Xin chào</p></body></html>');
  });

  it('takes a valid language tag and refuses anything else', () => {
    expect(renderMessageFrame('', { lang: 'en-GB' })).toContain('<html lang="en-GB">');
    expect(renderMessageFrame('', { lang: 'x"><script>' })).toContain('<html lang="vi">');
  });
});

describe('renderPlainText', () => {
  it('escapes markup and links URLs, leaving trailing punctuation outside', () => {
    expect(renderPlainText('Xem https://example.gov.vn/a?b=1&c=2. <b>không</b> (www.example.vn/x)')).toBe(
      '<div class="hopthu-plain">Xem <a href="https://example.gov.vn/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">' +
        'https://example.gov.vn/a?b=1&amp;c=2</a>. &lt;b&gt;không&lt;/b&gt; (<a href="http://www.example.vn/x" ' +
        'target="_blank" rel="noopener noreferrer">www.example.vn/x</a>)</div>',
    );
  });

  it('never links a javascript: or data: text', () => {
    const html = renderPlainText('javascript:alert(1) data:text/html,x mailto:a@b.vn');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="mailto:a@b.vn"');
  });

  it('turns quoted lines into nested blockquotes', () => {
    expect(renderPlainText('Đồng ý.\r\n> Anh xem giúp\n> > bản gốc\n> nhé\nCảm ơn\n')).toBe(
      '<div class="hopthu-plain">Đồng ý.<blockquote>Anh xem giúp<blockquote>bản gốc</blockquote>nhé</blockquote>Cảm ơn</div>',
    );
  });

  it('joins format=flowed soft breaks (RFC 3676 §4.2), unstuffs (§4.4), keeps the signature separator (§4.3)', () => {
    const flowed = 'Một đoạn văn \ndài được \ngập dòng.\n>Trích \n>dẫn\n From đầu dòng\n-- \nĐức\n';
    expect(renderPlainText(flowed, { flowed: true })).toBe(
      '<div class="hopthu-plain">Một đoạn văn dài được gập dòng.<blockquote>Trích dẫn</blockquote>From đầu dòng\n-- \nĐức</div>',
    );
    expect(renderPlainText('nối \nliền', { flowed: true, delSp: true })).toBe('<div class="hopthu-plain">nốiliền</div>');
  });
});
