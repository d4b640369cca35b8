/**
 * Per domain, where passwords are checked: here (argon2id) or in the province's
 * directory, by an LDAP bind as the person's entry.
 */
export const sql = `
ALTER TABLE domains ADD COLUMN password_source text NOT NULL DEFAULT 'local' CHECK (password_source IN ('local', 'directory'));
`;
