import { traceMessage } from '../../delivery/trace.js';
import { CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

export const traceCommand: CliCommand = {
  options: { json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, [id], values) {
    if (!id) throw new CliUsageError('which message? hopthu trace MESSAGE-ID (as in its Message-ID header)');
    const trace = await traceMessage(rt.db, id);
    if (values.json) return void console.log(JSON.stringify(trace, null, 2));
    if (trace.accepted.length === 0 && trace.copies.length === 0) {
      console.log(`no message ${trace.messageId} here`);
      return 1;
    }
    for (const s of trace.accepted) {
      console.log(`${s.receivedAt}  accepted as ${s.spoolId} (${s.source}) from <${s.mailFrom}>${s.clientIp ? ` at ${s.clientIp}` : ''}${s.helo ? ` (HELO ${s.helo})` : ''}${s.session ? ` in session ${s.session}` : ''}${s.doneAt ? `; finished ${s.doneAt}` : '; still queued'}`);
      for (const r of s.recipients) {
        const how = r.status === 'delivered' ? `delivered${r.remoteMta ? ` to ${r.remoteMta}` : ''}`
          : r.status === 'failed' ? `failed ${r.lastCode ?? ''} ${r.lastError ?? ''}`.trim()
          : `waiting (${r.attempts} attempts${r.lastCode ? `, last ${r.lastCode} ${r.lastError ?? ''}`.trimEnd() : ''}), next at ${r.nextAttemptAt}`;
        console.log(`    ${r.route.padEnd(9)} ${r.recipient}: ${how}`);
      }
    }
    if (trace.copies.length) console.log('in mailboxes:');
    for (const c of trace.copies) console.log(`    ${c.account} ${c.folder} UID ${c.uid}`);
  },
};
