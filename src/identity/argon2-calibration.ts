import { hashPassword, type Argon2Params } from './passwords.js';

export interface Calibration {
  params: Argon2Params;
  /** median milliseconds of one hash with these parameters on this machine */
  ms: number;
  /** every measurement made, for the report */
  tried: Array<Argon2Params & { ms: number }>;
}

async function measure(params: Argon2Params, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await hashPassword('calibration-password', params);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Picks argon2id parameters for a target time on this machine: memory as large as
 * allowed (the cost an attacker's hardware feels most), halved while even one
 * iteration is over the target; then the most iterations that stay within it.
 */
export async function calibrateArgon2(opts: { targetMs: number; maxMemoryKiB: number; parallelism: number; rounds?: number }): Promise<Calibration> {
  const rounds = opts.rounds ?? 3;
  const tried: Calibration['tried'] = [];
  const run = async (params: Argon2Params) => {
    const ms = await measure(params, rounds);
    tried.push({ ...params, ms });
    return ms;
  };
  const MIN_MEMORY = 8 * 1024;
  let memoryKiB = Math.max(MIN_MEMORY, opts.maxMemoryKiB);
  let best: { params: Argon2Params; ms: number } | undefined;
  for (;;) {
    const params = { memoryKiB, iterations: 1, parallelism: opts.parallelism };
    const ms = await run(params);
    if (ms <= opts.targetMs || memoryKiB <= MIN_MEMORY) {
      best = { params, ms };
      break;
    }
    memoryKiB = Math.max(MIN_MEMORY, Math.floor(memoryKiB / 2));
  }
  // time grows about linearly with iterations: estimate, then step to stay within the target
  let iterations = Math.max(1, Math.floor(opts.targetMs / Math.max(best.ms, 0.1)));
  while (iterations > 1) {
    const params = { memoryKiB, iterations, parallelism: opts.parallelism };
    const ms = await run(params);
    if (ms <= opts.targetMs * 1.1) {
      best = { params, ms };
      // one more iteration may still fit
      const next = { ...params, iterations: iterations + 1 };
      const nextMs = await run(next);
      if (nextMs <= opts.targetMs * 1.1) best = { params: next, ms: nextMs };
      break;
    }
    iterations--;
  }
  return { params: best.params, ms: best.ms, tried };
}
