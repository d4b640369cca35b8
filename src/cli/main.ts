#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../config/index.js';
import { createLogger } from '../shared/logger.js';
import { HopthuError } from '../shared/errors.js';
import { openRuntime, type Runtime } from './runtime.js';
import { CliUsageError } from './io.js';
import type { CliCommand } from './commands/command.js';
import { domainAdd, domainList, domainPasswords } from './commands/domain.js';
import { accountAdd, accountList, accountShow, accountDisable, accountEnable, accountUnlock } from './commands/account.js';
import { accountPasswd, accountActivation, accountAppPassword, accountTotpDisable } from './commands/account-credentials.js';
import { accountVacation } from './commands/account-vacation.js';
import { accountArchive } from './commands/account-archive.js';
import { authCalibrate } from './commands/auth.js';
import { auditVerify, auditQuery, auditExport, auditPrune } from './commands/audit.js';
import { aliasAdd, aliasList } from './commands/alias.js';
import { queueList, queueRetry, queueBounce } from './commands/queue.js';
import { dnsCommand } from './commands/dns.js';
import { agencyAdd, agencyList, agencyMove, agencyRename } from './commands/agency.js';
import { groupAdd, groupSet, groupRemove, groupMembersCommand, groupList, groupShow } from './commands/group.js';
import { delegationAdd, delegationRemove, delegationList } from './commands/delegation.js';
import { tokenCreate, tokenList, tokenRevoke } from './commands/token.js';
import { roleGrant, roleRevoke, roleList } from './commands/role.js';
import { provisionPlan, provisionApply, provisionStatus, provisionCredentials } from './commands/provision.js';
import { migrate } from '../store/migrate.js';
import { holdAdd, holdList, holdShow, holdRelease } from './commands/hold.js';
import { inspectionApprove, inspectionDeny, inspectionEnd, inspectionList, inspectionRequest } from './commands/inspection.js';
import { retentionSet, retentionRun } from './commands/retention.js';
import { backupCommand, restoreCommand } from './commands/backup.js';
import { importImap } from './commands/import.js';
import { traceCommand } from './commands/trace.js';

const migrateCommand: CliCommand = {
  name: 'migrate',
  usage: 'hopthu migrate',
  summary: 'apply database migrations (start does this too)',
  needs: 'db',
  async run(rt) {
    const applied = await migrate(rt.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  },
};

const COMMANDS: CliCommand[] = [
  migrateCommand, domainAdd, domainList, domainPasswords, accountAdd, accountList, accountShow, accountPasswd, accountDisable, accountEnable, accountUnlock,
  aliasAdd, aliasList, queueList, queueRetry, queueBounce, dnsCommand, auditVerify,
  holdAdd, holdList, holdShow, holdRelease, inspectionRequest, inspectionApprove, inspectionDeny, inspectionEnd, inspectionList, retentionSet, retentionRun, backupCommand, restoreCommand, importImap, traceCommand, auditQuery, auditExport, auditPrune,
  agencyAdd, agencyList, agencyMove, agencyRename, groupAdd, groupSet, groupRemove, groupMembersCommand, groupList, groupShow,
  delegationAdd, delegationRemove, delegationList,
  tokenCreate, tokenList, tokenRevoke, roleGrant, roleRevoke, roleList,
  accountActivation, accountAppPassword, accountTotpDisable, accountVacation, accountArchive, authCalibrate,
  provisionPlan, provisionApply, provisionStatus, provisionCredentials,
];

function help(): string {
  const lines = [
    'hopthu — mail and identity service',
    '',
    'usage:',
    '  hopthu start [--roles smtp,imap,worker,web] run the server (all roles by default)',
    ...COMMANDS.map((c) => `  ${c.usage.replace(/^hopthu /, 'hopthu ').padEnd(36)} ${c.summary}`),
    '',
    'Configuration: hopthu.yaml (or HOPTHU_CONFIG) and HOPTHU_* variables; HOPTHU_DATA_DIR (default ./data).',
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    console.log(help());
    return 0;
  }
  const config = loadConfig();
  if (argv[0] === 'start') {
    const { values } = parseArgs({ args: argv.slice(1), options: { roles: { type: 'string' } }, strict: true });
    const log = createLogger(config.log.level);
    // loaded here, not at the top: the other commands stay quick to start
    const { startServer, parseRoles } = await import('./server.js');
    const server = await startServer(config, log, parseRoles(values.roles));
    return new Promise<number>((resolve) => {
      const onSignal = (signal: string) => {
        log.info({ signal }, 'stopping');
        // listeners close first, jobs finish or are handed back; past the limit we go anyway:
        // an unfinished job's lock expires and another worker (or the reconciler) takes it
        const limit = setTimeout(() => {
          log.warn({ seconds: config.shutdownSeconds }, 'stopping took too long; exiting with work handed back');
          resolve(1);
        }, config.shutdownSeconds * 1000);
        limit.unref();
        server.stop().then(() => resolve(0), () => resolve(1)).finally(() => clearTimeout(limit));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
  }
  // longest match first: 'account add' before a one-word command
  const command = COMMANDS.find((c) => c.name === argv.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.name === argv[0]);
  if (!command) throw new CliUsageError(`unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help()}`);
  const rest = argv.slice(command.name.split(' ').length);
  const { values, positionals } = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  // the CLI logs only warnings: its output is for people
  const log = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  // a command that needs no store (auth calibrate) starts none: it gets only the configuration and the logger
  if (command.needs === 'none') return (await command.run({ config, log } as unknown as Runtime, positionals, values as Record<string, string | boolean | undefined>)) ?? 0;
  const rt = await openRuntime(config, log, { owner: false, redis: command.needs === 'db+redis' });
  try {
    return (await command.run(rt, positionals, values as Record<string, string | boolean | undefined>)) ?? 0;
  } finally {
    await rt.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof CliUsageError || err instanceof HopthuError) {
      console.error(`hopthu: ${err.message}`);
      process.exit(2);
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`hopthu: ${(err as Error).message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
