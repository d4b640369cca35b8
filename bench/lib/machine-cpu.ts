import { readFileSync } from 'node:fs';

/**
 * What the whole machine and the bench process itself did with the CPU over a stretch of
 * time: the share of the machine's CPU time left idle (work waiting on something other
 * than CPU shows here) and the bench's own CPU seconds (its clients share the machine with
 * the server measured).
 */
export interface MachineCpu {
  idleShare: number;
  benchSeconds: number;
}

/** the first line of /proc/stat: user nice system idle iowait irq softirq steal ..., in ticks */
const machineTicks = () => readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);

export function startMachineCpu(): { stop(): MachineCpu } {
  const ticks = machineTicks();
  const own = process.cpuUsage();
  return {
    stop() {
      const spent = machineTicks().map((t, i) => t - (ticks[i] ?? 0));
      const total = spent.reduce((a, b) => a + b, 0);
      const usage = process.cpuUsage(own);
      return { idleShare: total > 0 ? (spent[3] ?? 0) / total : 0, benchSeconds: (usage.user + usage.system) / 1e6 };
    },
  };
}
