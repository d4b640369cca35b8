import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from '../../../src/webmail/sanitize/index.js';
import { problemsIn, readTags } from './sanitize-checks.js';

const BENIGN = join(import.meta.dirname, '../../fixtures/benign-html');
const cidUrl = (id: string) => (id.startsWith('missing') ? undefined : `/mail/m/7/part/${encodeURIComponent(id)}`);
const tagNames = (html: string) => readTags(html).tags.filter((t) => !t.closing).map((t) => t.name);

describe('benign mail keeps its structure and text', () => {
  const outlook = readFileSync(join(BENIGN, 'outlook-newsletter.html'), 'utf8');

  it('an Outlook newsletter keeps its tables, Vietnamese text, links and inline logo', () => {
    const { html, blockedRemoteImages, inlineContentIds } = sanitizeMailHtml(outlook, { cidUrl });
    expect(problemsIn(html, { inlinePrefix: '/mail/m/7/part/' })).toEqual([]);
    const names = tagNames(html);
    for (const name of ['table', 'thead', 'tbody', 'tr', 'th', 'td', 'h1', 'ul', 'li', 'blockquote', 'a', 'img', 'b', 'i']) {
      expect(names).toContain(name);
    }
    expect(html).toContain('Kính gửi: Các cơ quan, đơn vị trên địa bàn tỉnh');
    expect(html).toContain('UBND huyện Mường Tè');
    expect(html).toContain('<td colspan="2">Các xã vùng cao — <i>lịch riêng</i></td>');
    expect(html).toContain('cellpadding="0" width="600" align="center"');
    expect(html).toContain('style="width: 450.0pt; border-collapse: collapse; background: white"');
    expect(html).toContain('<th bgcolor="#D9E2F3" style="border: solid windowtext 1.0pt">STT</th>');
    expect(html).toContain('href="https://stttt.example.gov.vn/ban-tin/2026-11" target="_blank" rel="noopener noreferrer"');
    // The <body>'s colours survive as a <div>; the head (title, styles, Word's XML) is gone.
    expect(html).toContain('<div lang="VI" style="word-wrap: break-word" bgcolor="#f4f4f4">');
    expect(html).not.toContain('Bản tin Sở Thông tin');
    expect(html).not.toContain('MsoNormal');
    // RFC 2392: cid:image001.png@01DA1234.56789AB0 is the logo part, shown through the webmail's URL.
    expect(html).toContain('src="/mail/m/7/part/image001.png%4001DA1234.56789AB0" alt="Logo Sở TT&amp;TT"');
    expect(inlineContentIds).toEqual(['image001.png@01DA1234.56789AB0']);
    // The tracking pixel is a remote image.
    expect(blockedRemoteImages).toBe(1);
    expect(html).not.toContain('tracker.example.com');
  });

  it('a Gmail reply keeps its quote, font and signature', () => {
    const { html } = sanitizeMailHtml(readFileSync(join(BENIGN, 'gmail-reply.html'), 'utf8'));
    expect(problemsIn(html)).toEqual([]);
    expect(html).toContain('<font color="#0000ff" face="arial, sans-serif" size="4">bảng tổng hợp</font>');
    expect(html).toContain('<blockquote style="margin: 0px 0px 0px 0.8ex; border-left: 1px solid rgb(204,204,204); padding-left: 1ex">');
    expect(html).toContain('Nguyễn Văn Đức<br />Phòng Hành chính');
    expect(html).not.toContain('gmail_quote');
  });
});

describe('remote images', () => {
  const mail =
    '<img src="https://cdn.example.com/a.png" alt="A"><table background="http://cdn.example.com/bg.jpg"><tr>' +
    '<td style="color: red; background-image: url(\'https://cdn.example.com/c.png\')">x</td></tr></table>';

  it('are removed and counted by default, alt text and the rest of the style kept', () => {
    const { html, blockedRemoteImages } = sanitizeMailHtml(mail);
    expect(blockedRemoteImages).toBe(3);
    expect(html).toBe('<img alt="A" /><table><tr><td style="color: red">x</td></tr></table>');
  });

  it('are kept, normalised, when the reader allows them', () => {
    const { html, blockedRemoteImages } = sanitizeMailHtml(mail, { allowRemoteImages: true });
    expect(blockedRemoteImages).toBe(0);
    expect(html).toBe(
      '<img src="https://cdn.example.com/a.png" alt="A" /><table background="http://cdn.example.com/bg.jpg"><tr>' +
        '<td style="color: red; background-image: url(&quot;https://cdn.example.com/c.png&quot;)">x</td></tr></table>',
    );
  });

  it('data: images are kept for raster types only, never SVG', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const { html } = sanitizeMailHtml(`<img src="${png}"><img src="data:image/svg+xml;base64,PHN2Zz4="><img src="data:text/html,x">`);
    expect(html).toBe(`<img src="${png}" /><img /><img />`);
  });
});

describe('cid: images', () => {
  it('are rewritten through cidUrl, URL-decoded and without angle brackets', () => {
    const { html, inlineContentIds } = sanitizeMailHtml(
      '<img src="cid:part1.06090408%4001020703"><img src="CID:&lt;logo@x&gt;"><div style="background: url(cid:bg@x)">t</div>',
      { cidUrl },
    );
    expect(html).toBe(
      '<img src="/mail/m/7/part/part1.06090408%4001020703" /><img src="/mail/m/7/part/logo%40x" />' +
        '<div style="background: url(&quot;/mail/m/7/part/bg%40x&quot;)">t</div>',
    );
    expect(inlineContentIds).toEqual(['part1.06090408@01020703', 'logo@x', 'bg@x']);
  });

  it('that name no part of the message lose their src and are not counted as remote', () => {
    const { html, blockedRemoteImages, inlineContentIds } = sanitizeMailHtml('<img src="cid:missing@x" alt="a">', { cidUrl });
    expect(html).toBe('<img alt="a" />');
    expect(blockedRemoteImages).toBe(0);
    expect(inlineContentIds).toEqual([]);
    expect(sanitizeMailHtml('<img src="cid:logo@x">').html).toBe('<img />');
  });
});

describe('links', () => {
  const cases: Array<[string, string | undefined]> = [
    ['https://example.gov.vn/a b', 'https://example.gov.vn/a%20b'],
    ['HTTP://Example.COM', 'http://example.com/'],
    ['mailto:vanthu@example.gov.vn', 'mailto:vanthu@example.gov.vn'],
    ['  https://example.com/x  ', 'https://example.com/x'],
    ['javascript:alert(1)', undefined],
    ['JaVaScRiPt:alert(1)', undefined],
    ['java\tscript:alert(1)', undefined],
    ['java&#x0A;script:alert(1)', undefined],
    ['&#106;avascript:alert(1)', undefined],
    ['javascript&colon;alert(1)', undefined],
    ['\u0001javascript:alert(1)', undefined],
    ['vbscript:msgbox(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['file:///etc/passwd', undefined],
    ['ftp://example.com/', undefined],
    ['//evil.example/', undefined],
    ['/mail/logout', undefined],
    ['#top', undefined],
  ];
  for (const [href, expected] of cases) {
    it(`href ${JSON.stringify(href)} → ${expected ?? 'dropped'}`, () => {
      const { html } = sanitizeMailHtml(`<a href="${href.replace(/"/g, '&quot;')}" target="_self" rel="opener">x</a>`);
      const link = readTags(html).tags[0]!;
      expect(link.attributes.get('href')).toBe(expected);
      expect(link.attributes.get('target')).toBe('_blank');
      expect(link.attributes.get('rel')).toBe('noopener noreferrer');
    });
  }
});

describe('style attributes', () => {
  const cases: Array<[string, string | undefined]> = [
    ['color: red; font-weight: bold', 'color: red; font-weight: bold'],
    ['COLOR: Red;;  margin : 0 auto ', 'color: Red; margin: 0 auto'],
    ['font-family: "Times New Roman", serif', 'font-family: "Times New Roman", serif'],
    ['color: rgb(1, 2, 3) !important', 'color: rgb(1, 2, 3) !important'],
    ['position: relative; position: fixed; position: absolute', 'position: relative'],
    ['z-index: 9999; top: 0', undefined],
    ['width: expression(alert(1))', undefined],
    ['width: exp/**/ression(alert(1))', undefined],
    ['background: url(javascript:alert(1))', undefined],
    ['background: \\75 rl(http://evil.example/)', undefined],
    ['behavior: url(x.htc); -moz-binding: url(x.xml#y)', undefined],
    ['color: var(--x); width: attr(width)', undefined],
    ['color: red; background: url("data:image/gif;base64,R0lGOD==")', 'color: red; background: url("data:image/gif;base64,R0lGOD==")'],
    ['font-family: "a;b"; color: blue', 'font-family: "a;b"; color: blue'],
    ['color: "unclosed; background: red', undefined],
  ];
  for (const [style, expected] of cases) {
    it(`style ${JSON.stringify(style)} → ${expected === undefined ? 'dropped' : JSON.stringify(expected)}`, () => {
      const { html } = sanitizeMailHtml(`<p style="${style.replace(/"/g, '&quot;')}">t</p>`);
      expect(readTags(html).tags[0]!.attributes.get('style')).toBe(expected);
    });
  }
});

describe('structure', () => {
  it('closes what the mail left open, so nothing leaks out of its container', () => {
    const { html } = sanitizeMailHtml('<table><tr><td><div><b>text');
    expect(html).toBe('<table><tr><td><div><b>text</b></div></td></tr></table>');
    expect(problemsIn(html)).toEqual([]);
  });

  it('drops stray end tags, comments and conditional comments', () => {
    expect(sanitizeMailHtml('a</div></td></table><!-- x --><!--[if mso]>y<![endif]-->b').html).toBe('ab');
  });

  it('drops class and id and keeps escaped text escaped', () => {
    expect(sanitizeMailHtml('<p class="x" id="y">1 &lt; 2 &amp;&amp; 3 &gt; 2</p>').html).toBe('<p>1 &lt; 2 &amp;&amp; 3 &gt; 2</p>');
  });

  it('never throws on odd input', () => {
    for (const input of ['', '<', '</', '<!', '<!--', '<a', '<a href', '<a href="', '\u0000', '<p>\uD800</p>', '&#0;&#xD800;']) {
      expect(problemsIn(sanitizeMailHtml(input).html)).toEqual([]);
    }
  });
});

describe('markup too deep for the parser', () => {
  it('is shown as its text, quickly, and says so', () => {
    const started = Date.now();
    const { html, flattened, blockedRemoteImages } = sanitizeMailHtml(
      '<div>'.repeat(200_000) + 'Nội dung &amp; <b>chữ đậm</b><img src="http://evil.example/x.png">',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(flattened).toBe(true);
    expect(html).toBe('<div> Nội dung &amp; chữ đậm </div>');
    expect(blockedRemoteImages).toBe(0);
  });

  it('a large but shallow message is not flattened', () => {
    const rows = '<tr><td>ô</td><td><img src="data:image/gif;base64,R0lGOD=="><br></td></tr>'.repeat(20_000);
    const { html, flattened } = sanitizeMailHtml(`<table>${rows}</table>`);
    expect(flattened).toBe(false);
    expect(readTags(html).tags.filter((t) => t.name === 'tr' && !t.closing)).toHaveLength(20_000);
  });
});
