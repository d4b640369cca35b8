import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON-line logs (pino). Secrets never go in a log line: pass ids, not passwords. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'hopthu', ...base },
    redact: { paths: ['password', '*.password', 'pass', '*.pass', 'authorization'], censor: '[secret]' },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
