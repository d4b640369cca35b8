import { getAccount } from '../../identity/accounts.js';
import { archiveAccount } from '../../mail/archive/account-archive.js';
import { publishMailboxChange } from '../../mail/notify.js';
import { cliActor, CliUsageError, formatSize } from '../io.js';
import type { CliCommand } from './command.js';

export const accountArchive: CliCommand = {
  needs: 'db+redis',
  async run(rt, [address]) {
    if (!address) throw new CliUsageError('which account? hopthu account archive ADDRESS');
    const account = await getAccount(rt.db, address);
    const outcome = await archiveAccount({ db: rt.db, blobs: rt.blobs, dataDir: rt.config.dataDir }, account.id, cliActor(), { source: 'cli' });
    const redis = rt.connectRedis();
    for (const change of outcome.changes) await publishMailboxChange(redis, rt.config.redisPrefix, change).catch(() => {});
    const { archive } = outcome;
    console.log(`archived ${account.address}: ${archive.messages} messages (${formatSize(archive.messageBytes)}) to ${archive.path}`);
    console.log(`sha256 ${archive.sha256}; ${outcome.removed} messages removed from the live store`);
  },
};
