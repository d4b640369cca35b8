/**
 * Everything the bench starts registers how to undo it here. Cleanups run in reverse
 * order on normal exit, on failure, on SIGINT/SIGTERM and when the hard timeout fires.
 * `onExit` holds the synchronous last resort (SIGKILL a process group) for the case
 * where the process dies before the async cleanups ran.
 */
type Cleanup = { name: string; run: () => Promise<void>; onExit?: () => void };

const cleanups: Cleanup[] = [];

export function registerCleanup(name: string, run: () => Promise<void>, onExit?: () => void): () => void {
  const entry: Cleanup = { name, run, ...(onExit ? { onExit } : {}) };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

let running: Promise<void> | undefined;

export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (cleanups.length) {
      const c = cleanups.pop()!;
      try {
        await c.run();
      } catch (err) {
        console.error(`bench: cleanup "${c.name}" failed: ${(err as Error).message}`);
      }
    }
  })();
  return running;
}

/** Stops the whole bench after `seconds`, cleaning up first; Ctrl-C and SIGTERM do the same. */
export function installGuards(seconds: number) {
  const abort = (why: string) => {
    console.error(`bench: ${why}; cleaning up`);
    const forced = setTimeout(() => process.exit(1), 60_000);
    forced.unref();
    void runCleanups().finally(() => process.exit(1));
  };
  const timer = setTimeout(() => abort(`hard timeout of ${seconds} s reached`), seconds * 1000);
  timer.unref();
  process.once('SIGINT', () => abort('interrupted'));
  process.once('SIGTERM', () => abort('terminated'));
  process.on('exit', () => {
    for (const c of cleanups) c.onExit?.();
  });
}
