import path from 'node:path';
import { backupTo } from '../../backup/backup.js';
import { restoreFrom } from '../../backup/restore.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, formatSize } from '../io.js';
import type { CliCommand } from './command.js';

export const backupCommand: CliCommand = {
  needs: 'db',
  async run(rt, [dir]) {
    if (!dir) throw new CliUsageError('where to? hopthu backup DIR (a new or empty directory)');
    const { manifest, seconds } = await backupTo(rt.db, rt.blobs, path.resolve(dir));
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    await appendAudit(rt.db, { actor: cliActor(), action: 'backup.create', source: 'cli', data: { dir: path.resolve(dir), rows, blobs: manifest.blobs.count } });
    console.log(`backed up ${rows} rows of ${manifest.tables.length} tables and ${manifest.blobs.count} blobs (${formatSize(manifest.blobs.bytes)}) to ${dir} in ${seconds.toFixed(1)} s`);
  },
};

export const restoreCommand: CliCommand = {
  needs: 'db',
  async run(rt, [dir]) {
    if (!dir) throw new CliUsageError('from where? hopthu restore DIR');
    const { rows, blobs } = await restoreFrom(rt.db, rt.blobs, path.resolve(dir), cliActor());
    console.log(`restored ${rows} rows and ${blobs} blobs from ${dir}`);
  },
};
