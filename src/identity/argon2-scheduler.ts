import os from 'node:os';

/**
 * Who gets the CPU for argon2 next. Each verify takes a core for a fifth of a second or
 * so; run more at once than there are cores and every login waits for all of them.
 * Verifies run at most one per core, and an attempt on an account that already has
 * recent unresolved attempts (someone guessing, or a mistyping person's second try) waits
 * behind everyone else's first: a guessing attack within the lockout's budget then delays
 * other people's logins by one verify at most, not by the whole budget at once.
 */
export type Argon2Priority = 'normal' | 'suspect';

const slots = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
let running = 0;
const waiting: Record<Argon2Priority, Array<() => void>> = { normal: [], suspect: [] };

function next() {
  if (running >= slots) return;
  const start = waiting.normal.shift() ?? waiting.suspect.shift();
  if (!start) return;
  running++;
  start();
}

export function runArgon2<T>(priority: Argon2Priority, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    waiting[priority].push(() => {
      work()
        .then(resolve, reject)
        .finally(() => {
          running--;
          next();
        });
    });
    next();
  });
}
