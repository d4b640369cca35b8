import { readFileSync } from 'node:fs';

/** The pid a pid file names, when that process is still alive. */
export function livePid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive but someone else's
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Sends `signal`, waits up to `timeoutMs` for the process to go, then SIGKILL. */
export async function stopPid(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  if (!(await waitForExit(pid, timeoutMs))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone in the meantime
    }
  }
}

/** Waits for `ready`, but fails at once if the child exits first; kills the child on failure. */
export async function untilReady(child: import('node:child_process').ChildProcess, ready: Promise<void>, what: string, lastOutput: () => string): Promise<void> {
  const exited = new Promise<never>((_, reject) => child.once('exit', () => reject(new Error(`${what} exited at start: ${lastOutput()}`))));
  try {
    await Promise.race([ready, exited]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    exited.catch(() => {});
    ready.catch(() => {});
  }
}
