import type { ParseArgsConfig } from 'node:util';
import type { Runtime } from '../runtime.js';

export interface CliCommand {
  /** e.g. 'domain add' */
  name: string;
  usage: string;
  summary: string;
  options?: ParseArgsConfig['options'];
  /** 'none': no stores; 'db': PostgreSQL only; 'db+redis' */
  needs: 'none' | 'db' | 'db+redis';
  run(rt: Runtime, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<number | void>;
}
