import argon2 from 'argon2';

export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return argon2.hash(password.normalize('NFC'), {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  });
}

/** A hash every failed lookup is checked against, so an unknown user costs as much as a wrong password. */
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(hash: string | null | undefined, password: string, params: Argon2Params): Promise<boolean> {
  if (!hash) {
    decoyHash ??= hashPassword('decoy-password-for-timing', params);
    await argon2.verify(await decoyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password.normalize('NFC'));
  } catch {
    return false;
  }
}
