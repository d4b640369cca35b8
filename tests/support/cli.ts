import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const MAIN = path.resolve('src/cli/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hopthu ARGS` as a person would, in its own process. */
export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

export function startCliServer(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * `hopthu start ARGS` as its own process, resolved once it logs "hopthu started" (its
 * roles listening). `output()` is everything it printed so far.
 */
export async function startedCliServer(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<{ child: ChildProcess; output: () => string }> {
  const child = startCliServer(args, env);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('hopthu started')) {
    if (child.exitCode !== null) {
      // what it printed last (why it stopped) may still be in the pipes: read them to the end first
      await new Promise<void>((resolve) => {
        if (child.stdout!.readableEnded && child.stderr!.readableEnded) return resolve();
        child.once('close', () => resolve());
        setTimeout(resolve, 2000);
      });
      throw new Error(`hopthu start ${args.join(' ')} exited with ${child.exitCode}: ${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hopthu start ${args.join(' ')} did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}
