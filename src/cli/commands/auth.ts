import os from 'node:os';
import { calibrateArgon2 } from '../../identity/argon2-calibration.js';
import { CliUsageError } from '../io.js';
import type { CliCommand } from './command.js';

function positiveInt(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliUsageError(`${name} must be a whole number from 1 to ${max}, not "${String(value)}"`);
  return n;
}

export const authCalibrate: CliCommand = {
  options: { 'target-ms': { type: 'string' }, 'max-memory-mib': { type: 'string' }, parallelism: { type: 'string' } },
  needs: 'none',
  async run(_rt, _p, values) {
    const targetMs = positiveInt(values['target-ms'], '--target-ms', 250, 10_000);
    const maxMemoryMiB = positiveInt(values['max-memory-mib'], '--max-memory-mib', 64, 4096);
    if (maxMemoryMiB < 8) throw new CliUsageError('--max-memory-mib must be at least 8 (argon2.memoryKiB has a minimum of 8192)');
    const parallelism = positiveInt(values.parallelism, '--parallelism', 1, 16);
    const result = await calibrateArgon2({ targetMs, maxMemoryKiB: maxMemoryMiB * 1024, parallelism });
    const p = result.params;
    console.log(`# argon2id on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}: ${p.memoryKiB / 1024} MiB, ${p.iterations} iteration(s), parallelism ${p.parallelism} → ${Math.round(result.ms)} ms per hash (target ${targetMs} ms)`);
    console.log('# every login that reaches the password check costs one of these; a locked account costs none');
    console.log('argon2:');
    console.log(`  memoryKiB: ${p.memoryKiB}`);
    console.log(`  iterations: ${p.iterations}`);
    console.log(`  parallelism: ${p.parallelism}`);
  },
};
