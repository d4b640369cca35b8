import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { runStopSteps } from '../../../src/cli/stop-steps.js';

function recordingLog() {
  const lines: Array<{ msg: string; step?: string; err?: string }> = [];
  return { lines, log: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }) };
}

describe('runStopSteps', () => {
  it('leaves a step that never ends behind at the deadline, names it, and runs the steps after it', async () => {
    const { lines, log } = recordingLog();
    const ran: string[] = [];
    const started = Date.now();
    await runStopSteps(
      [
        { what: 'the stuck worker', stop: () => new Promise<void>(() => {}) },
        { what: 'the stores', stop: async () => void ran.push('stores') },
      ],
      Date.now() + 200,
      log,
      50,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ran).toEqual(['stores']);
    expect(lines).toEqual([expect.objectContaining({ msg: 'a step of stopping took too long; going on without it', step: 'the stuck worker' })]);
  });

  it('gives each step after the deadline at least the least time, and logs a step that fails or throws', async () => {
    const { lines, log } = recordingLog();
    const ran: string[] = [];
    await runStopSteps(
      [
        { what: 'the listener', stop: async () => { throw new Error('already closed'); } },
        { what: 'the timer', stop: () => { throw new Error('not started'); } },
        { what: 'the queue', stop: () => new Promise<void>((resolve) => setTimeout(() => { ran.push('queue'); resolve(); }, 30)) },
      ],
      Date.now() - 1000,
      log,
      200,
    );
    expect(ran).toEqual(['queue']);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'error while stopping', step: 'the listener', err: 'already closed' }),
      expect.objectContaining({ msg: 'error while stopping', step: 'the timer', err: 'not started' }),
    ]);
  });
});
