/**
 * Memory of a process and everything below it, sampled from /proc (Linux).
 *   rss   VmRSS summed: what `ps` shows, counts shared pages (PostgreSQL's shared buffers) once per process
 *   pss   Pss summed from smaps_rollup: shared pages divided among their users, so the sum is honest
 */
import { readdir, readFile } from 'node:fs/promises';

export interface MemorySample {
  /** performance.now() */
  t: number;
  /** the root process alone (hopthu's node process, or the sink), bytes */
  rootRss: number;
  totalRss: number;
  totalPss: number;
  processes: number;
}

/** The pid and all its descendants, following ppid links in /proc/<pid>/stat. */
export async function processTree(root: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  await Promise.all(pids.map(async (p) => {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    if (!stat) return;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(p)]);
  }));
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return tree;
}

async function kB(file: string, field: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export async function sampleMemory(root: number, tree: number[]): Promise<MemorySample> {
  const per = await Promise.all(tree.map(async (pid) => ({
    pid,
    rss: await kB(`/proc/${pid}/status`, 'VmRSS'),
    pss: await kB(`/proc/${pid}/smaps_rollup`, 'Pss'),
  })));
  return {
    t: performance.now(),
    rootRss: per.find((p) => p.pid === root)?.rss ?? 0,
    totalRss: per.reduce((s, p) => s + p.rss, 0),
    totalPss: per.reduce((s, p) => s + p.pss, 0),
    processes: per.filter((p) => p.rss > 0).length,
  };
}

/** Samples every `intervalMs` until stopped; the process tree is re-read every second. */
export function startMemorySampler(root: number, intervalMs = 250): { stop(): Promise<MemorySample[]> } {
  const samples: MemorySample[] = [];
  let stopped = false;
  let tree: number[] = [root];
  let treeAt = -Infinity;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      if (started - treeAt >= 1000) {
        tree = await processTree(root);
        treeAt = started;
      }
      const s = await sampleMemory(root, tree);
      if (s.rootRss > 0) samples.push(s);
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - started))));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
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
  samples: number;
}

export function summarizeMemory(samples: MemorySample[], from: number, to: number): MemorySummary {
  const inWindow = samples.filter((s) => s.t >= from && s.t <= to);
  const mid = (from + to) / 2;
  const avg = (xs: MemorySample[]) => (xs.length ? xs.reduce((s, x) => s + x.rootRss, 0) / xs.length : 0);
  const max = (f: (s: MemorySample) => number) => samples.reduce((m, s) => Math.max(m, f(s)), 0);
  return {
    peakTotalRss: max((s) => s.totalRss),
    peakTotalPss: max((s) => s.totalPss),
    peakRootRss: max((s) => s.rootRss),
    rootRssFirstHalf: avg(inWindow.filter((s) => s.t < mid)),
    rootRssSecondHalf: avg(inWindow.filter((s) => s.t >= mid)),
    samples: inWindow.length,
  };
}
