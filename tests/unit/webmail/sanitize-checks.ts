/**
 * Independent checks on sanitizer output, used by the corpus, mail and fuzz tests.
 * The output is sanitize-html's serialisation (`<name attr="value">`, quotes and
 * angle brackets escaped in values), so a tag can be read back with a pattern.
 */

/** Elements that must never appear in sanitized mail. */
export const FORBIDDEN_ELEMENTS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input',
  'button', 'select', 'option', 'textarea', 'base', 'meta', 'link', 'svg', 'math', 'template',
  'noscript', 'title', 'xmp', 'plaintext', 'noembed', 'noframes', 'html', 'head', 'body', 'video',
  'audio', 'source', 'picture', 'canvas', 'dialog', 'details', 'marquee', 'portal', 'slot', 'param',
]);

const VOID_ELEMENTS = new Set(['br', 'hr', 'img', 'col', 'wbr']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'background']);
const FORBIDDEN_ATTRIBUTES = new Set([
  'srcset', 'formaction', 'action', 'xlink:href', 'class', 'id', 'srcdoc', 'ping', 'data', 'poster',
  'lowsrc', 'dynsrc', 'longdesc', 'usemap', 'name', 'form', 'autofocus', 'tabindex', 'popover',
]);

export interface ParsedTag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attributes: Map<string, string>;
}

function decode(value: string): string {
  return value
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Every tag of sanitized output, plus the text between tags (with entities still encoded). */
export function readTags(html: string): { tags: ParsedTag[]; text: string } {
  const tags: ParsedTag[] = [];
  const text = html.replace(/<(\/?)([^\s/>]+)((?:\s+[^\s="/>]+(?:="[^"]*")?)*)\s*(\/?)>/g, (_all, slash: string, name: string, attrs: string, self: string) => {
    const attributes = new Map<string, string>();
    for (const m of attrs.matchAll(/\s+([^\s="/>]+)(?:="([^"]*)")?/g)) attributes.set(m[1]!.toLowerCase(), decode(m[2] ?? ''));
    tags.push({ name: name.toLowerCase(), closing: slash === '/', selfClosing: self === '/', attributes });
    return '';
  });
  return { tags, text };
}

export interface OutputPolicy {
  /** Where `cid:` images are expected to point (the test's cidUrl prefix). */
  inlinePrefix?: string;
  allowRemoteImages?: boolean;
}

function imageUrlProblem(url: string, policy: OutputPolicy): string | undefined {
  if (/^data:image\/(?:png|gif|jpeg|jpg|webp)[;,]/i.test(url)) return undefined;
  if (policy.inlinePrefix && url.startsWith(policy.inlinePrefix)) return undefined;
  if (policy.allowRemoteImages && /^https?:\/\//i.test(url)) return undefined;
  return `image URL not allowed: ${url.slice(0, 80)}`;
}

function styleProblem(style: string, policy: OutputPolicy): string | undefined {
  if (/expression|javascript|vbscript|behavior|binding|@import|\\|[<>]/i.test(style)) return `dangerous style: ${style}`;
  if (/position\s*:\s*(?:fixed|absolute|sticky)|z-index/i.test(style)) return `overlaying style: ${style}`;
  for (const m of style.matchAll(/url\(\s*"?([^")]*)/gi)) {
    const problem = imageUrlProblem(m[1]!, policy);
    if (problem) return `style ${problem}`;
  }
  return undefined;
}

/** Everything wrong with a piece of sanitized output (empty when it is clean and well-formed). */
export function problemsIn(html: string, policy: OutputPolicy = {}): string[] {
  const problems: string[] = [];
  if (/<script/i.test(html)) problems.push('"<script" in output');
  const { tags, text } = readTags(html);
  if (/[<>]/.test(text)) problems.push(`unescaped angle bracket in text: ${text.slice(0, 80)}`);
  const stack: string[] = [];
  for (const tag of tags) {
    if (FORBIDDEN_ELEMENTS.has(tag.name) || tag.name.includes(':')) problems.push(`forbidden element <${tag.name}>`);
    if (tag.closing) {
      if (stack.pop() !== tag.name) problems.push(`unbalanced </${tag.name}>`);
      continue;
    }
    if (VOID_ELEMENTS.has(tag.name)) {
      if (!tag.selfClosing) problems.push(`void <${tag.name}> not self-closed`);
    } else if (tag.selfClosing) {
      problems.push(`non-void <${tag.name}/>`);
    } else {
      stack.push(tag.name);
    }
    for (const [name, value] of tag.attributes) {
      if (/^on/i.test(name)) problems.push(`event handler ${name} on <${tag.name}>`);
      if (FORBIDDEN_ATTRIBUTES.has(name)) problems.push(`forbidden attribute ${name} on <${tag.name}>`);
      if (/^[\s\u0000-\u001f]*(?:(?:java|vb|live)script|data\s*:\s*text)/i.test(value) && URL_ATTRIBUTES.has(name)) {
        problems.push(`script URL in ${name}: ${value.slice(0, 80)}`);
      }
      if (name === 'href' && !/^(?:https?:\/\/|mailto:)/i.test(value)) problems.push(`href not http(s)/mailto: ${value}`);
      if (name === 'href' && tag.name !== 'a') problems.push(`href on <${tag.name}>`);
      if (name === 'src' || name === 'background') {
        const problem = imageUrlProblem(value, policy);
        if (problem) problems.push(problem);
      }
      if (name === 'style') {
        const problem = styleProblem(value, policy);
        if (problem) problems.push(problem);
      }
    }
    if (tag.name === 'a' && (tag.attributes.get('target') !== '_blank' || tag.attributes.get('rel') !== 'noopener noreferrer')) {
      problems.push('link without target=_blank rel="noopener noreferrer"');
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}
