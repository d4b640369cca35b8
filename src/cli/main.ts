#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../config/index.js';
import { createLogger } from '../shared/logger.js';
import { HopthuError } from '../shared/errors.js';
import type { Runtime } from './runtime.js';
import { CliUsageError } from './io.js';
import { COMMANDS } from './commands/index.js';
import { CLOSING_GRACE_MS } from './stop-steps.js';

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
        // listeners close first, jobs finish or are handed back; a step still running at
        // shutdownSeconds is left behind and the stores close (stop-steps.ts). Past that and a
        // grace we go anyway: an unfinished job's lock expires and another worker (or the reconciler) takes it
        const limit = setTimeout(() => {
          log.warn({ seconds: config.shutdownSeconds }, 'stopping took too long; exiting with work handed back');
          resolve(1);
        }, config.shutdownSeconds * 1000 + CLOSING_GRACE_MS);
        limit.unref();
        server.stop().then(() => resolve(0), () => resolve(1)).finally(() => clearTimeout(limit));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
  }
  // longest match first: 'account add' before a one-word command
  const entry = COMMANDS.find((c) => c.name === argv.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.name === argv[0]);
  if (!entry) throw new CliUsageError(`unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help()}`);
  const command = await entry.load();
  const rest = argv.slice(entry.name.split(' ').length);
  const { values, positionals } = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  // the CLI logs only warnings: its output is for people
  const log = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  // a command that needs no store (auth calibrate) starts none: it gets only the configuration and the logger
  if (command.needs === 'none') return (await command.run({ config, log } as unknown as Runtime, positionals, values as Record<string, string | boolean | undefined>)) ?? 0;
  const { openRuntime } = await import('./runtime.js');
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
