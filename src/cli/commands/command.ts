import type { ParseArgsConfig } from 'node:util';
import type { Runtime } from '../runtime.js';

/**
 * A command as `hopthu help` lists it and dispatch finds it (`index.ts`), without its code:
 * a command's imports are much of the server (PostgreSQL, BullMQ, argon2, the mail store…),
 * so only the chosen one is loaded.
 */
export interface CliCommandEntry {
  /** e.g. 'domain add' */
  name: string;
  usage: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/** What a command does once chosen (one file per noun in this folder). */
export interface CliCommand {
  options?: ParseArgsConfig['options'];
  /** 'none': no stores; 'db': PostgreSQL only; 'db+redis' */
  needs: 'none' | 'db' | 'db+redis';
  run(rt: Runtime, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<number | void>;
}
