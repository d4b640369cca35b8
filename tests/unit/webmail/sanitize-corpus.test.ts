import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sanitizeMailHtml } from '../../../src/webmail/sanitize/index.js';
import { problemsIn, readTags } from './sanitize-checks.js';

const CORPUS = join(import.meta.dirname, '../../fixtures/hostile-html');
const files = readdirSync(CORPUS).filter((f) => f.endsWith('.html')).sort();
const cidUrl = (id: string) => `/mail/part/${encodeURIComponent(id)}`;

describe('hostile HTML corpus through sanitizeMailHtml', () => {
  it('has at least 35 hostile bodies, each with a marker the browser test watches for', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
    const unmarked = files.filter((f) => !/pwned|alert\(|msgbox|evil\.example/.test(readFileSync(join(CORPUS, f), 'utf8')));
    expect(unmarked).toEqual([]);
  });

  for (const file of files) {
    const hostile = readFileSync(join(CORPUS, file), 'utf8');
    it(`${file}: nothing active survives, output well-formed and stable`, () => {
      for (const allowRemoteImages of [false, true]) {
        const { html } = sanitizeMailHtml(hostile, { cidUrl, allowRemoteImages });
        expect(problemsIn(html, { inlinePrefix: '/mail/part/', allowRemoteImages })).toEqual([]);
        // No URL or style the attack planted is still live (with remote images allowed, its images are).
        const live = readTags(html).tags.flatMap((tag) =>
          [...tag.attributes].filter(([name]) => ['href', 'src', 'background', 'style'].includes(name)).map(([, v]) => v),
        );
        for (const value of live) expect(value).not.toMatch(allowRemoteImages ? /pwned|alert\(/i : /pwned|alert\(|evil\.example/i);
        expect(sanitizeMailHtml(html, { allowRemoteImages }).html).toBe(html);
      }
    });
  }
});
