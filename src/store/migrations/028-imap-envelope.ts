/**
 * The IMAP ENVELOPE of a blob as FETCH sends it (RFC 9051 §7.5.2), kept beside its parsed
 * description the first time a session renders it (imap/commands/fetch.ts). A FETCH of
 * ENVELOPEs then reads these few hundred bytes instead of decompressing each message's
 * whole description, and sends them as they are. A change to how ENVELOPE is rendered
 * needs a migration that empties the column.
 */
export const sql = `
ALTER TABLE blobs ADD COLUMN imap_envelope bytea;
`;
