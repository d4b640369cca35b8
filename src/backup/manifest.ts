import path from 'node:path';

export const BACKUP_FORMAT = 'hopthu-backup/1';

/** manifest.json: what a backup holds, and the checksums a restore verifies first. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  /** the last migration applied when the backup was taken; a restore needs the same */
  schemaVersion: number;
  tables: Array<{ name: string; columns: string[]; identity: string[]; selfReference: string | null; primaryKey: string[]; file: string; rows: number; sha256: string }>;
  sequences: Array<{ name: string; lastValue: number; isCalled: boolean }>;
  blobs: { count: number; bytes: number };
}

/** Blobs in a backup are laid out as in the blob store: blobs/ab/cd/<sha256>. */
export const blobPathIn = (dir: string, hash: string) => path.join(dir, 'blobs', hash.slice(0, 2), hash.slice(2, 4), hash);
