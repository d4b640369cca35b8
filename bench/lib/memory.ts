/**
 * Memory and CPU time of a process and everything below it, sampled from /proc (Linux).
 *   rss   resident pages summed (statm): what `ps` shows; PostgreSQL's shared buffers count once per backend
 *   pss   Pss summed (smaps_rollup): shared pages divided among their users, so the sum is honest
 *   cpu   utime + stime per process, to tell how the CPU was shared between node, postgres and redis
 * statm and stat are cheap counters, read every 250 ms; smaps_rollup walks every mapping of a
 * process (costly for PostgreSQL backends, and the kernel charges it to the bench), so it and
 * the process tree are read once a second.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface MemorySample {
  /** performance.now() */
  t: number;
  /** the root process alone (hopthu's node process, or the sink), bytes */
  rootRss: number;
  totalRss: number;
  /** NaN on samples that did not read smaps_rollup */
  totalPss: number;
  /** per pid: [command name, CPU seconds so far] */
  cpu: Map<number, [string, number]>;
}

const PAGE = 4096;
/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat; 100 on every Linux that matters */
const TICKS_PER_SECOND = 100;

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the process is gone
  }
};

/** The pid and all its descendants, following ppid links in /proc/<pid>/stat. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const stat = read(`/proc/${p}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(p)]);
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return tree;
}

function cpuOf(pid: number): [string, number] | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  // counted from "state": utime and stime are the 12th and 13th fields after it (stat fields 14 and 15)
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [name, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND];
}

export function sampleMemory(root: number, tree: number[], withPss: boolean): MemorySample {
  let totalRss = 0;
  let totalPss = withPss ? 0 : NaN;
  let rootRss = 0;
  const cpu = new Map<number, [string, number]>();
  for (const pid of tree) {
    const rss = Number(read(`/proc/${pid}/statm`).split(' ')[1] ?? 0) * PAGE;
    if (pid === root) rootRss = rss;
    totalRss += rss;
    if (withPss) totalPss += Number(/^Pss:\s+(\d+) kB/m.exec(read(`/proc/${pid}/smaps_rollup`))?.[1] ?? 0) * 1024;
    const c = cpuOf(pid);
    if (c) cpu.set(pid, c);
  }
  return { t: performance.now(), rootRss, totalRss, totalPss, cpu };
}

/** Samples every `intervalMs` until stopped. */
export function startMemorySampler(root: number, intervalMs = 250): { stop(): Promise<MemorySample[]> } {
  const samples: MemorySample[] = [];
  let tree: number[] = [root];
  let slowAt = -Infinity;
  const tick = () => {
    const slow = performance.now() - slowAt >= 1000;
    if (slow) {
      tree = processTree(root);
      slowAt = performance.now();
    }
    const s = sampleMemory(root, tree, slow);
    if (s.rootRss > 0) samples.push(s);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      tick();
      return samples;
    },
  };
}

export interface MemorySummary {
  peakTotalRss: number;
  peakTotalPss: number;
  peakRootRss: number;
  /** average RSS of the root process over the first and second half of the window */
  rootRssFirstHalf: number;
  rootRssSecondHalf: number;
  /** average RSS of the root process in each tenth of the window: warm-up levels off, a leak keeps climbing */
  rootRssByTenth: number[];
  samples: number;
  /** CPU seconds used inside the window, by command name (node, postgres, redis-server) */
  cpuSeconds: Record<string, number>;
}

/** CPU used between the first and last sample of the window; a process that appeared later counts from zero. */
function cpuIn(samples: MemorySample[]): Record<string, number> {
  const first = new Map<number, number>();
  const last = new Map<number, [string, number]>();
  samples.forEach((s, k) => {
    for (const [pid, [name, secs]] of s.cpu) {
      if (!first.has(pid)) first.set(pid, k === 0 ? secs : 0);
      last.set(pid, [name, secs]);
    }
  });
  const out: Record<string, number> = {};
  for (const [pid, [name, secs]] of last) out[name] = (out[name] ?? 0) + secs - first.get(pid)!;
  return out;
}

export function summarizeMemory(samples: MemorySample[], from: number, to: number): MemorySummary {
  // from the last sample at or before `from` to the first at or after `to`
  const start = Math.max(0, samples.findLastIndex((s) => s.t <= from));
  const end = samples.findIndex((s) => s.t >= to);
  const inWindow = samples.slice(start, end < 0 ? samples.length : end + 1);
  const mid = (from + to) / 2;
  const avg = (xs: MemorySample[]) => (xs.length ? xs.reduce((s, x) => s + x.rootRss, 0) / xs.length : 0);
  const max = (f: (s: MemorySample) => number) => samples.reduce((m, s) => (Number.isNaN(f(s)) ? m : Math.max(m, f(s))), 0);
  return {
    peakTotalRss: max((s) => s.totalRss),
    peakTotalPss: max((s) => s.totalPss),
    peakRootRss: max((s) => s.rootRss),
    rootRssFirstHalf: avg(inWindow.filter((s) => s.t < mid)),
    rootRssSecondHalf: avg(inWindow.filter((s) => s.t >= mid)),
    rootRssByTenth: Array.from({ length: 10 }, (_, k) =>
      avg(inWindow.filter((s) => s.t >= from + ((to - from) * k) / 10 && s.t < from + ((to - from) * (k + 1)) / 10)),
    ),
    samples: inWindow.length,
    cpuSeconds: cpuIn(inWindow),
  };
}
