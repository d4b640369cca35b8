import type { Db } from '../store/db.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Logger } from '../shared/logger.js';
import { appendAudit } from '../audit/audit-log.js';
import { importAccount, sourceKey, type FolderProgress, type ImapSource } from './imap-import.js';

export interface ImportMapping {
  /** the hopthu account the old mailbox moves into */
  accountId: number;
  address: string;
  source: ImapSource;
}

export interface ImportSummary {
  address: string;
  copied: number;
  /** folders copied (or already up to date) */
  folders: number;
  /** folders left out, each with the reason */
  skipped: Array<{ folder: string; reason: string }>;
  error?: string;
}

/**
 * Imports many accounts, at most `parallel` at once. One account failing (a wrong old
 * password, a dropped connection) is reported and does not stop the others; running the
 * same import again finishes it. Every account's import is an audit event.
 */
export async function runImport(
  db: Db,
  blobs: BlobStore,
  log: Logger,
  mappings: readonly ImportMapping[],
  options: { parallel: number; actor: string; onProgress?: (address: string, p: FolderProgress) => void },
): Promise<ImportSummary[]> {
  const results: ImportSummary[] = new Array(mappings.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < mappings.length; i = next++) {
      const m = mappings[i]!;
      try {
        const r = await importAccount(db, blobs, log, { accountId: m.accountId, source: m.source, onProgress: (p) => options.onProgress?.(m.address, p) });
        const skipped = r.folders.filter((f) => f.skipped).map((f) => ({ folder: f.folder, reason: f.skipped! }));
        results[i] = { address: m.address, copied: r.copied, folders: r.folders.length - skipped.length, skipped };
      } catch (err) {
        results[i] = { address: m.address, copied: 0, folders: 0, skipped: [], error: (err as Error).message };
      }
      const r = results[i]!;
      await appendAudit(db, {
        actor: options.actor, action: r.error ? 'import.imap.failure' : 'import.imap', target: m.address, source: 'cli',
        data: { from: sourceKey(m.source), copied: r.copied, folders: r.folders, ...(r.skipped.length ? { skipped: r.skipped } : {}), ...(r.error ? { error: r.error } : {}) },
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, mappings.length)) }, worker));
  return results;
}
