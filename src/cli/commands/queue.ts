import { transaction } from '../../store/db.js';
import { listQueue, retryNow, bounceNow } from '../../delivery/queue-admin.js';
import { appendAudit } from '../../audit/audit-log.js';
import { cliActor, CliUsageError, formatSize, printTable } from '../io.js';
import type { Runtime } from '../runtime.js';
import type { CliCommand } from './command.js';

async function enqueue(rt: Runtime, ids: number[]) {
  const { DeliveryQueue } = await import('../../delivery/queue.js');
  const queue = new DeliveryQueue(rt.connectRedis(), rt.config.redisPrefix);
  try {
    for (const id of ids) await queue.runNow(id);
  } finally {
    await queue.close();
  }
}

function spoolIdArg(value: string | undefined, usage: string): number {
  const id = Number(value);
  if (!value || !Number.isInteger(id) || id <= 0) throw new CliUsageError(usage);
  return id;
}

export const queueList: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _p, values) {
    const entries = await listQueue(rt.db);
    if (values.json) return void console.log(JSON.stringify(entries, null, 2));
    if (entries.length === 0) return void console.log('the queue is empty');
    printTable(
      entries.map((e) => ({
        id: e.spoolId, from: e.mailFrom || '<>', to: e.recipient, size: formatSize(e.size), attempts: e.attempts,
        next: e.nextAttemptAt.toISOString(), last: e.lastCode ? `${e.lastCode} ${e.lastError ?? ''}`.slice(0, 60) : '',
      })),
      ['id', 'from', 'to', 'size', 'attempts', 'next', 'last'],
    );
  },
};

export const queueRetry: CliCommand = {
  needs: 'db+redis',
  async run(rt, [id]) {
    const spoolId = id === undefined ? undefined : spoolIdArg(id, 'hopthu queue retry [ID]');
    const ids = await retryNow(rt.db, spoolId);
    await enqueue(rt, ids);
    console.log(ids.length ? `retrying ${ids.length} message(s) now` : 'nothing is waiting');
  },
};

export const queueBounce: CliCommand = {
  needs: 'db+redis',
  async run(rt, [id]) {
    const spoolId = spoolIdArg(id, 'hopthu queue bounce ID');
    const n = await transaction(rt.db, async (client) => {
      const count = await bounceNow(client, spoolId, 'delivery cancelled by the administrator');
      if (count) await appendAudit(client, { actor: cliActor(), action: 'queue.bounce', target: String(spoolId), source: 'cli', data: { recipients: count } });
      return count;
    });
    if (!n) throw new CliUsageError(`message ${spoolId} has no recipient waiting`);
    await enqueue(rt, [spoolId]);
    console.log(`bounced ${n} recipient(s) of message ${spoolId}; the sender will get a delivery status notification`);
  },
};
