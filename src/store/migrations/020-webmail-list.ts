/**
 * The webmail's message list, newest first, 50 a page (src/webmail/mail/list-query.ts):
 * ordered by the Date header's instant, else the arrival time, then UID. An index in that
 * order reads a page of a 10,000-message folder as 50 index entries instead of sorting
 * the whole folder on every page shown; the same index read backwards serves "oldest first".
 */
export const sql = `
CREATE INDEX messages_list_date ON messages (mailbox_id, (COALESCE(sent_date, internal_date)), uid);
`;
