import { verifyAuditChain } from '../../audit/audit-log.js';
import type { CliCommand } from './command.js';

export const auditVerify: CliCommand = {
  name: 'audit verify',
  usage: 'hopthu audit verify',
  summary: 'recompute the audit log hash chain; exit 1 if any event was changed or removed',
  needs: 'db',
  async run(rt) {
    const check = await verifyAuditChain(rt.db);
    if (check.ok) {
      console.log(`the audit log is intact: ${check.events} events verified`);
      return 0;
    }
    console.log(`the audit log has been tampered with: the chain breaks at event ${check.brokenAt} (of ${check.events})`);
    return 1;
  },
};
