import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { runArgon2 } from '../../../src/identity/argon2-scheduler.js';

const slots = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('who gets argon2 next', () => {
  it('runs at most one verify per core, and a suspect attempt waits behind every normal one', async () => {
    const order: string[] = [];
    let concurrent = 0;
    let peak = 0;
    const job = (name: string) => async () => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await tick();
      order.push(name);
      concurrent--;
    };
    // a burst of guesses arrives first, then two people log in
    const all = [
      ...Array.from({ length: slots + 4 }, (_, i) => runArgon2('suspect', job(`guess${i}`))),
      runArgon2('normal', job('person1')),
      runArgon2('normal', job('person2')),
    ];
    await Promise.all(all);
    expect(peak).toBe(slots);
    // the people's verifies start as soon as the guesses already running finish
    const firstPerson = order.indexOf('person1');
    expect(firstPerson).toBeLessThanOrEqual(slots + 1);
    expect(order.indexOf('person2')).toBeLessThanOrEqual(slots + 1);
  });

  it('passes a failure through and keeps the slot free for the next', async () => {
    await expect(runArgon2('normal', async () => { throw new Error('bad hash'); })).rejects.toThrow('bad hash');
    expect(await runArgon2('normal', async () => 42)).toBe(42);
  });
});
