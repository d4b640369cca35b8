/**
 * Child processes of the bench: each in its own process group (so whatever it starts
 * — PostgreSQL, redis-server — can be stopped with it), output kept line by line,
 * stopped by cleanup even when the bench fails.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import { registerCleanup } from './cleanup.js';

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** every line the child printed on stdout and stderr */
  lines: string[];
  /** resolves with the first stdout line that parses as JSON */
  firstJson: Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** SIGTERM to the child, then SIGKILL to its whole group after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export function startChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const proc = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = proc.pid;
  const lines: string[] = [];
  let onJson: (v: Record<string, unknown>) => void = () => {};
  const firstJson = new Promise<Record<string, unknown>>((resolve) => (onJson = resolve));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const collect = (stdout: boolean) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (stdout && line.startsWith('{')) {
          try {
            onJson(JSON.parse(line) as Record<string, unknown>);
          } catch { /* not JSON after all */ }
        }
      }
    };
  };
  proc.stdout!.on('data', collect(true));
  proc.stderr!.on('data', collect(false));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 30_000) => {
    stopping ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      // the child stops its own children; whatever is left of the group after the grace time is killed
      await until(() => !groupAlive(pid), graceMs);
      if (groupAlive(pid)) {
        console.error(`bench: ${name} did not stop within ${graceMs / 1000} s; killing its process group`);
        try {
          process.kill(-pid, 'SIGKILL');
        } catch { /* gone meanwhile */ }
      }
      await exited;
    })();
    return stopping;
  };
  const unregister = registerCleanup(name, () => stop(), () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch { /* already gone */ }
  });
  void exited.then(() => {
    if (!groupAlive(pid)) unregister();
  });
  return { name, pid, process: proc, lines, firstJson, exited, stop };
}

/** A port nothing listens on right now (the OS picks; a race is possible but unlikely). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/** Resolves when something accepts TCP connections on the port; fails if `child` exits first. */
export async function waitForPort(port: number, child: Child, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < end) {
    if (exited) throw new Error(`${child.name} exited before listening:\n${child.lines.slice(-20).join('\n')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${child.name} did not listen on port ${port} within ${timeoutMs / 1000} s:\n${child.lines.slice(-20).join('\n')}`);
}
