import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function idOf(user: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', user], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root. When hopthu runs as root (containers, CI), the
 * embedded cluster runs as the system user `postgres`, made when missing. As any other
 * user nothing changes.
 */
export function unprivilegedUser(): RunAs | undefined {
  if (!isRoot()) return undefined;
  const existing = idOf('postgres');
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
    stdio: 'ignore',
  });
  const made = idOf('postgres');
  if (!made) throw new Error('could not create the system user "postgres" to run the embedded PostgreSQL');
  return made;
}

export function chownTree(dir: string, to: RunAs) {
  chownSync(dir, to.uid, to.gid);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) chownTree(p, to);
    else chownSync(p, to.uid, to.gid);
  }
}

/**
 * Lets the unprivileged user reach `target`: every directory above it gets the
 * search (x) bit for others, nothing more. Needed when the checkout or the data
 * directory lies under a private (0700) directory and the embedded PostgreSQL runs
 * as another user than root.
 */
export function ensureTraversable(target: string) {
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
