import type { Account } from '../../identity/accounts.js';
import { delegatedMailboxesFor } from '../../identity/delegations.js';
import type { WebContext } from '../context.js';
import { attrIf, html, type SafeHtml } from '../html.js';
import { csrfField, renderPage } from '../layout.js';
import type { ComposeState } from './compose-state.js';
import { COMPOSE, type ComposeText } from './strings.js';

/** An address the From select offers. */
export interface SenderChoice {
  address: string;
  name: string;
  delegated: boolean;
}

/** The user's own address, then the agency mailboxes delegated to them with the right to send. */
export async function senderChoices(ctx: WebContext, account: Account): Promise<SenderChoice[]> {
  const delegated = (await delegatedMailboxesFor(ctx.deps.db, account.id)).filter((d) => d.canSend);
  return [{ address: account.address, name: account.displayName, delegated: false }, ...delegated.map((d) => ({ address: d.account.address, name: d.account.displayName, delegated: true }))];
}

/** A stored attachment the form carries, as the page lists it. */
export interface KeptFile {
  ref: string;
  filename: string;
  size: number;
}

export interface ComposePageInput {
  state: ComposeState;
  choices: readonly SenderChoice[];
  kept: readonly KeptFile[];
  title: string;
  status?: number;
  error?: string | undefined;
  notice?: string | undefined;
}

const recipientField = (t: ComposeText, name: 'to' | 'cc' | 'bcc', value: string, autofocus: boolean) =>
  html`<div class="field"><label for="c-${name}">${t(`compose.${name}`)}</label><input type="text" id="c-${name}" name="${name}" value="${value}" autocomplete="off" spellcheck="false" data-contacts aria-describedby="c-hint"${attrIf(autofocus, 'autofocus')}></div>`;

/** The compose page: a plain multipart form that works without JavaScript. */
export async function composePage(ctx: WebContext, input: ComposePageInput): Promise<string> {
  const t = ctx.strings(COMPOSE);
  const { state } = input;
  const choices = input.choices.some((c) => c.address === state.from) || !state.from ? input.choices : [...input.choices, { address: state.from, name: '', delegated: false }];
  const hidden = (name: string, value: string) => (value ? html`<input type="hidden" name="${name}" value="${value}">` : '');
  // HTML §13.2.6.4.7: a newline right after <textarea> is dropped, so one is written before the body to keep its own
  const main: SafeHtml = html`<h1>${input.title}</h1>
<form method="post" action="/mail/compose" enctype="multipart/form-data" class="card compose" data-compose>${csrfField(ctx)}
${hidden('inReplyTo', state.inReplyTo)}${hidden('references', state.references)}${hidden('answers', state.answers)}${hidden('draft', state.draft)}
<div class="field"><label for="c-from">${t('compose.from')}</label><select id="c-from" name="from">${choices.map(
    (c) => html`<option value="${c.address}"${attrIf(c.address === state.from, 'selected')}>${c.name ? `${c.name} <${c.address}>` : c.address}${c.delegated ? ` ${t('compose.delegated')}` : ''}</option>`,
  )}</select></div>
${recipientField(t, 'to', state.to, !state.to)}
${recipientField(t, 'cc', state.cc, false)}
${recipientField(t, 'bcc', state.bcc, false)}
<p class="hint" id="c-hint">${t('compose.recipients-hint')}</p>
<div class="field"><label for="c-subject">${t('compose.subject')}</label><input type="text" id="c-subject" name="subject" value="${state.subject}" maxlength="998"${attrIf(Boolean(state.to) && !state.subject, 'autofocus')}></div>
<label for="c-body" class="sr">${t('compose.body')}</label><textarea id="c-body" name="body" rows="10"${attrIf(Boolean(state.to && state.subject), 'autofocus')}>
${state.body}</textarea>
<fieldset class="files"><legend>${t('compose.attachments')}</legend>
${input.kept.length ? html`<ul class="kept">${input.kept.map((f) => html`<li><label><input type="checkbox" name="keep" value="${f.ref}" checked> ${f.filename} <span class="muted">(${ctx.format.size(f.size)})</span></label></li>`)}</ul>` : ''}
<label for="c-files" class="add">${t('compose.add-files')}</label><input type="file" id="c-files" name="attachments" multiple>
<p class="hint">${t('compose.max-size', { size: ctx.format.size(ctx.deps.config.smtp.maxMessageBytes) })}</p>
<progress class="upload" max="100" value="0" hidden data-label="${t('compose.uploading')}"></progress>
</fieldset>
<div class="actions"><button type="submit" name="intent" value="send">${t('compose.send')}</button><button type="submit" class="secondary" name="intent" value="draft">${t('compose.save-draft')}</button></div>
</form>`;
  return renderPage(ctx, { title: input.title, section: 'mail', current: 'compose', main, error: input.error, notice: input.notice });
}
