import argon2 from 'argon2';
import { runArgon2, type Argon2Priority } from './argon2-scheduler.js';

export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * How many argon2 computations this process has made. Tests and the benchmark read it
 * to prove that refused logins (lockout) and app passwords cost no argon2 time.
 */
export const argon2Counters = { hashes: 0, verifies: 0 };

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  argon2Counters.hashes++;
  return argon2.hash(password.normalize('NFC'), {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  });
}

/** A hash every failed lookup is checked against, so an unknown user costs as much as a wrong password. */
let decoyHash: Promise<string> | undefined;
let decoyParams = '';

export async function verifyPassword(hash: string | null | undefined, password: string, params: Argon2Params, priority: Argon2Priority = 'normal'): Promise<boolean> {
  if (!hash) {
    const key = `${params.memoryKiB}/${params.iterations}/${params.parallelism}`;
    if (!decoyHash || decoyParams !== key) {
      decoyParams = key;
      decoyHash = hashPassword('decoy-password-for-timing', params);
    }
    const decoy = await decoyHash;
    argon2Counters.verifies++;
    await runArgon2(priority, () => argon2.verify(decoy, password).catch(() => false));
    return false;
  }
  argon2Counters.verifies++;
  return runArgon2(priority, () => argon2.verify(hash, password.normalize('NFC')).catch(() => false));
}
