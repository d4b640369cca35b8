/**
 * The id of the SMTP session (or webmail session) that handed a message in, kept on its
 * spool row: the worker's log lines carry it, so one id follows a message from the SMTP
 * log through the queue into the mailbox, and `hopthu trace` shows it.
 */
export const sql = `
ALTER TABLE spool ADD COLUMN session_id text;
`;
