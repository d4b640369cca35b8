import { readFileSync } from 'node:fs';
import { decodeSpreadsheetText, parseCsv } from '../../provisioning/csv.js';
import { getAccount } from '../../identity/accounts.js';
import { runImport, type ImportMapping, type ImportSummary } from '../../import/import-run.js';
import type { FolderProgress } from '../../import/imap-import.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

/** imaps://host[:port] or imap://host[:port] */
function parseSource(raw: string): { host: string; port: number; secure: boolean } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliUsageError(`--from ${raw}: write the old server as imaps://host[:port] or imap://host[:port]`);
  }
  if (url.protocol !== 'imaps:' && url.protocol !== 'imap:') throw new CliUsageError(`--from ${raw}: the old server must be imaps:// or imap://`);
  const secure = url.protocol === 'imaps:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 993 : 143, secure };
}

export const importImap: CliCommand = {
  options: { from: { type: 'string' }, map: { type: 'string' }, parallel: { type: 'string' }, insecure: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    if (typeof values.from !== 'string' || typeof values.map !== 'string') throw new CliUsageError('hopthu import imap --from imaps://old-server --map accounts.csv');
    const server = parseSource(values.from);
    const parallel = values.parallel === undefined ? 4 : Number(values.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) throw new CliUsageError('--parallel takes a whole number from 1 to 32');
    // accounts.csv: address (the hopthu account), user and password on the old server
    const table = parseCsv(decodeSpreadsheetText(readFileSync(values.map), values.map));
    const column = (name: string) => {
      const i = table.header.findIndex((h) => h.trim().toLowerCase() === name);
      if (i < 0) throw new CliUsageError(`${values.map} needs a header row with the columns address, user, password (no "${name}" column)`);
      return i;
    };
    const [address, user, password] = [column('address'), column('user'), column('password')];
    const mappings: ImportMapping[] = [];
    for (const [i, row] of table.rows.entries()) {
      const where = `${values.map} row ${table.rowNumbers[i]}`;
      if (!row[address] || !row[user] || !row[password]) throw new CliUsageError(`${where}: address, user and password are all needed`);
      const account = await getAccount(rt.db, row[address]!);
      mappings.push({ accountId: account.id, address: account.address, source: { ...server, tlsVerify: !values.insecure, user: row[user]!, password: row[password]! } });
    }
    const tty = process.stderr.isTTY;
    const results = await runImport(rt.db, rt.blobs, rt.log, mappings, {
      parallel,
      actor: cliActor(),
      onProgress: (who, p) => {
        // a terminal gets one line rewritten as batches land; a log file one line per folder done
        if (tty) process.stderr.write(`\r\x1b[K${who}: ${p.folder} → ${p.target} ${p.copied}/${p.total}`);
        else if (p.done) process.stderr.write(`${progressLine(who, p)}\n`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    printTable(results.map((r) => ({ account: r.address, folders: r.folders, copied: r.copied, result: resultText(r) })), ['account', 'folders', 'copied', 'result']);
    // not everything was copied: an account failed or a folder was left out
    return results.some((r) => r.error || r.skipped.length) ? 1 : 0;
  },
};

const progressLine = (who: string, p: FolderProgress) =>
  p.skipped ? `${who}: ${p.folder} skipped: ${p.skipped}` : `${who}: ${p.folder} → ${p.target} ${p.copied} copied, ${p.total} in the folder`;

function resultText(r: ImportSummary): string {
  if (r.error) return r.error;
  if (!r.skipped.length) return 'ok';
  return `${r.skipped.length} skipped: ${r.skipped.map((s) => `"${s.folder}" (${s.reason})`).join('; ')}`;
}
