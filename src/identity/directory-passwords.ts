/**
 * A password check done by the directory instead of here: given the account's directory
 * id (accounts.external_id) and the password, true when the directory accepts them,
 * false when it refuses them; throws when the directory cannot be reached. The entry
 * point makes one from `provisioning.ldap` (cli/runtime.ts); identity only calls it.
 */
export type DirectoryPasswordCheck = (externalId: string, password: string) => Promise<boolean>;

export type PasswordSource = 'local' | 'directory';
export const PASSWORD_SOURCES: readonly PasswordSource[] = ['local', 'directory'];
