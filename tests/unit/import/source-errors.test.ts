import { describe, expect, it } from 'vitest';
import { brokenConnection, connectFailure, isFolderRefusedByServer } from '../../../src/import/source-errors.js';

const where = { host: '127.0.0.1', port: 1143, user: 'annv@old.gov.vn' };

describe('why the old server could not be used, in one sentence', () => {
  it.each([
    // imapflow's error for a NO [AUTHENTICATIONFAILED] to LOGIN or AUTHENTICATE
    [{ message: 'Command failed', authenticationFailed: true, responseText: 'Authentication failed.', responseStatus: 'NO' }, 'import-login-refused', '127.0.0.1:1143 refused the login of annv@old.gov.vn (Authentication failed.): check the user and password in the account map'],
    [{ message: 'connect ECONNREFUSED 127.0.0.1:1143', code: 'ECONNREFUSED' }, 'import-unreachable', 'nothing answers on 127.0.0.1:1143 (connection refused): check the host and port of --from'],
    [{ message: 'getaddrinfo ENOTFOUND', code: 'ENOTFOUND' }, 'import-unreachable', '127.0.0.1 is not a name DNS knows: check the host of --from'],
    [{ message: 'Timeout', code: 'GREETING_TIMEOUT' }, 'import-unreachable', '127.0.0.1:1143 did not answer in time (GREETING_TIMEOUT)'],
    [{ message: 'self-signed certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'import-tls', expect.stringMatching(/^TLS with 127\.0\.0\.1:1143 failed \(DEPTH_ZERO_SELF_SIGNED_CERT\): .*add --insecure$/)],
    [{ message: 'wrong version number', code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'import-tls', expect.stringMatching(/imaps:\/\/ needs the port that starts TLS at once \(993\)/)],
    [{ message: 'Command failed', responseStatus: 'BAD', responseText: 'Unknown command' }, 'import-unreachable', 'cannot log in to 127.0.0.1:1143 as annv@old.gov.vn: Unknown command'],
  ])('%o → %s', (err, code, message) => {
    const e = connectFailure(err, where);
    expect(e.code).toBe(code);
    expect(e.message).toEqual(message);
  });

  it('a broken connection says what was going on and that the next run continues', () => {
    const e = brokenConnection({ message: 'read ECONNRESET', code: 'ECONNRESET' }, '127.0.0.1:1143', 'copying "INBOX"');
    expect(e.code).toBe('import-interrupted');
    expect(e.message).toBe('the connection to 127.0.0.1:1143 broke while copying "INBOX" (ECONNRESET); what was copied is kept, and running the import again continues from there');
  });

  it('a NO to SELECT or EXAMINE is a refusal of that folder only', () => {
    expect(isFolderRefusedByServer({ responseStatus: 'NO', responseText: 'Mailbox doesn\'t exist' })).toBe(true);
    expect(isFolderRefusedByServer({ code: 'EConnectionClosed' })).toBe(false);
  });
});
