import type { FastifyInstance } from 'fastify';
import type { WebmailDeps } from '../context.js';
import { postActions, showFolder, showInbox } from './folder-page.js';
import { ownInboxId, unreadCounts } from './folders.js';
import { showBody, showMessage, showPart } from './message-page.js';
import { showSearch } from './search-page.js';

interface FolderParams {
  mailboxId: string;
}
interface MessageParams extends FolderParams {
  uid: string;
}

/**
 * The reading side of the staff webmail. Folders and messages are named by mailbox id and
 * UID; every handler opens them through openMailbox (mail-access.ts), so another person's
 * folder is a 404 and a delegated one is checked (and audited) at each request.
 *   GET  /mail/                          the reader's INBOX
 *   GET  /mail/f/<mailboxId>             a folder's list (?sort, order, filter, threads, page)
 *   POST /mail/f/<mailboxId>/actions     read, unread, flag, unflag, move, delete, destroy
 *   GET  /mail/m/<mailboxId>/<uid>       a message (marks it \Seen)
 *   GET  /mail/m/<mailboxId>/<uid>/body  its sanitized body, for the sandboxed frame (?images=1)
 *   GET  /mail/m/<mailboxId>/<uid>/part/<partId>   an attachment or inline image
 *   GET  /mail/search                    search (q, from, to, subject, body, since, before; f, all)
 *   GET  /mail/counts.json               unread counts of the mailbox of folder f, else the reader's own (the live count)
 */
export function registerMailRoutes(app: FastifyInstance, _deps: WebmailDeps): void {
  // W3C Server Timing: the time the server spent on a mail page, for the benchmark and the
  // browser's developer tools (the list must stay under 50 ms at p95 for 10,000 messages)
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/mail/') && !req.url.startsWith('/mail/login')) reply.header('Server-Timing', `app;dur=${reply.elapsedTime.toFixed(1)}`);
  });
  app.get('/mail/', showInbox);
  app.get<{ Params: FolderParams }>('/mail/f/:mailboxId', (req, reply) => showFolder(req, reply, Number(req.params.mailboxId)));
  app.post<{ Params: FolderParams }>('/mail/f/:mailboxId/actions', (req, reply) => postActions(req, reply, Number(req.params.mailboxId)));
  app.get<{ Params: MessageParams }>('/mail/m/:mailboxId/:uid', (req, reply) => showMessage(req, reply, Number(req.params.mailboxId), Number(req.params.uid)));
  app.get<{ Params: MessageParams }>('/mail/m/:mailboxId/:uid/body', (req, reply) => showBody(req, reply, Number(req.params.mailboxId), Number(req.params.uid)));
  app.get<{ Params: MessageParams & { partId: string } }>('/mail/m/:mailboxId/:uid/part/:partId', (req, reply) =>
    showPart(req, reply, Number(req.params.mailboxId), Number(req.params.uid), req.params.partId),
  );
  app.get('/mail/search', showSearch);
  app.get('/mail/counts.json', async (req, reply) => {
    const f = (req.query as Record<string, unknown>).f;
    const counts = await unreadCounts(req.web, f === undefined ? ((await ownInboxId(req.web)) ?? 0) : Number(f));
    return reply.header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(counts));
  });
}
