import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Variables outside the HOPTHU_ namespace that hopthu honours, as every twelve-factor tool does. */
const WELL_KNOWN_ENV: Record<string, string[]> = {
  DATABASE_URL: ['databaseUrl'],
  REDIS_URL: ['redisUrl'],
};

const snakeToCamel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * `HOPTHU_DATA_DIR=x` sets `dataDir`; a double underscore descends:
 * `HOPTHU_SMTP__MAX_MESSAGE_BYTES=1000` sets `smtp.maxMessageBytes`. Values that read
 * as JSON (numbers, booleans, arrays) are taken as such, anything else as a string.
 */
export function envOverrides(env: NodeJS.ProcessEnv): Array<{ key: string[]; value: unknown; from: string }> {
  const out: Array<{ key: string[]; value: unknown; from: string }> = [];
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    let key: string[] | undefined = WELL_KNOWN_ENV[name];
    if (!key && name.startsWith('HOPTHU_') && name !== 'HOPTHU_CONFIG') {
      key = name.slice('HOPTHU_'.length).split('__').map(snakeToCamel);
    }
    if (key) out.push({ key, value: parseEnvValue(raw), from: name });
  }
  return out;
}

function parseEnvValue(raw: string): unknown {
  const t = raw.trim();
  if (/^(true|false|-?\d+(\.\d+)?|\[.*\]|\{.*\})$/s.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return raw;
    }
  }
  return raw;
}

function setPath(target: Record<string, unknown>, key: string[], value: unknown) {
  let node = target;
  for (const part of key.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[key[key.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** explicit file; otherwise HOPTHU_CONFIG, otherwise ./hopthu.yaml when present */
  file?: string;
  /** applied last (tests and the CLI's flags) */
  overrides?: Record<string, unknown>;
}

/**
 * Reads hopthu.yaml (or HOPTHU_CONFIG), applies HOPTHU_* variables, validates, and
 * returns a deep-frozen object. A bad value stops start-up naming the key, the value
 * and what is allowed.
 */
export function loadConfig(options: LoadOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.HOPTHU_CONFIG ?? (existsSync('hopthu.yaml') ? 'hopthu.yaml' : undefined);
  const input: Record<string, unknown> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = YAML.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: the top level must be a mapping of keys`);
      Object.assign(input, parsed);
    }
  }
  for (const { key, value } of envOverrides(env)) setPath(input, key, value);
  for (const [k, v] of Object.entries(options.overrides ?? {})) setPath(input, k.split('.'), v);

  const result = configSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(top level)';
      // a list given as one string (HOPTHU_REDIS_SENTINEL__SENTINELS=a,b) has no value at an index of its own
      const value = issue.path.reduce<unknown>((node, p) => (typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[p as string] : undefined), input);
      const shown = value === undefined ? '' : ` = ${JSON.stringify(value)}`;
      return `  ${key}${shown}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration${file ? ` (${file} and environment)` : ''}:\n${lines.join('\n')}`);
  }
  const config = result.data;
  config.dataDir = path.resolve(config.dataDir);
  return deepFreeze(config);
}
