import type { Logger } from '../shared/logger.js';

/** One step of stopping a process, named for the log. */
export interface StopStep {
  what: string;
  stop(): Promise<void>;
}

/** what the CLI allows past the deadline, before it exits anyway: the steps after a late one, the stores last, close in it */
export const CLOSING_GRACE_MS = 5000;

/**
 * Runs the steps in order, each given the time left until `deadline` (and at least
 * `leastMs`, so the steps after a slow one still run). A step still running when its time is
 * up is left behind with a warning that names it, and stopping goes on: BullMQ's close, for
 * one, can wait forever on a Redis connection parked between reconnects, and the stores
 * closed last must close all the same.
 */
export async function runStopSteps(steps: readonly StopStep[], deadline: number, log: Logger, leastMs = 1000): Promise<void> {
  for (const step of steps) {
    const ms = Math.max(deadline - Date.now(), leastMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
    const outcome = await Promise.race([Promise.resolve().then(() => step.stop()).then(() => 'done' as const), late]).catch((err: Error) => {
      log.warn({ step: step.what, err: err.message }, 'error while stopping');
      return 'failed' as const;
    });
    clearTimeout(timer);
    if (outcome === 'late') log.warn({ step: step.what, seconds: Math.round(ms / 100) / 10 }, 'a step of stopping took too long; going on without it');
  }
}
