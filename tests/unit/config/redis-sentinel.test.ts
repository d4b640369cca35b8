import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { loadConfig, ConfigError } from '../../../src/config/index.js';

const sentinelOf = (redisSentinel: unknown) => loadConfig({ env: {}, file: undefined, overrides: { redisSentinel } }).redisSentinel;

describe('redisSentinel: Redis found through Sentinel', () => {
  it('reads host:port entries, 26379 when the port is left out, IPv6 in brackets', () => {
    expect(sentinelOf({ sentinels: ['10.0.0.5:26379', 'sentinel-b', '[fd00::7]:26380'], name: 'mymaster' })).toEqual({
      sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: 'sentinel-b', port: 26379 }, { host: 'fd00::7', port: 26380 }],
      name: 'mymaster',
      db: 0,
    });
  });

  it('is set from HOPTHU_* variables, the Sentinels as one comma-separated list', () => {
    const config = loadConfig({
      file: undefined,
      env: { HOPTHU_REDIS_SENTINEL__SENTINELS: '10.0.0.5:26379, 10.0.0.6:26379', HOPTHU_REDIS_SENTINEL__NAME: 'hopthu', HOPTHU_REDIS_SENTINEL__PASSWORD: 'bí-mật', HOPTHU_REDIS_SENTINEL__DB: '2' },
    });
    expect(config.redisSentinel).toEqual({ sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }], name: 'hopthu', password: 'bí-mật', db: 2 });
  });

  it.each([
    [{ sentinels: ['10.0.0.5:99999'], name: 'mymaster' }, /redisSentinel\.sentinels\.0 = "10\.0\.0\.5:99999": "10\.0\.0\.5:99999" is not a Sentinel address: write host:port \(port 1-65535\)/],
    [{ sentinels: ['10.0.0.5:0'], name: 'mymaster' }, /"10\.0\.0\.5:0" is not a Sentinel address/],
    [{ sentinels: ['redis://10.0.0.5:26379'], name: 'mymaster' }, /redisSentinel\.sentinels\.0 .*is not a Sentinel address/],
    [{ sentinels: ['10.0.0.5 26379'], name: 'mymaster' }, /"10\.0\.0\.5 26379" is not a Sentinel address/],
    [{ sentinels: [], name: 'mymaster' }, /redisSentinel\.sentinels = \[\]: name at least one Sentinel/],
    [{ sentinels: ['10.0.0.5:26379'] }, /redisSentinel\.name: /],
    [{ sentinels: ['10.0.0.5:26379'], name: 'my master' }, /redisSentinel\.name = "my master": the master name from "sentinel monitor NAME/],
    [{ sentinels: ['10.0.0.5:26379'], name: 'mymaster', db: -1 }, /redisSentinel\.db = -1/],
    [{ sentinels: ['10.0.0.5:26379'], name: 'mymaster', sentinel: 'x' }, /redisSentinel.*Unrecognized key.*"sentinel"/],
  ])('%j is refused with a sentence naming the key', (value, message) => {
    expect(() => sentinelOf(value)).toThrowError(ConfigError);
    expect(() => sentinelOf(value)).toThrowError(message);
  });

  it('a bad entry in the comma-separated variable is named by its text', () => {
    expect(() => loadConfig({ file: undefined, env: { HOPTHU_REDIS_SENTINEL__SENTINELS: 'a:26379,b:port', HOPTHU_REDIS_SENTINEL__NAME: 'm' } })).toThrowError(
      /redisSentinel\.sentinels\.1: "b:port" is not a Sentinel address/,
    );
  });

  it('redisUrl and redisSentinel together are refused: one Redis or the other', () => {
    expect(() => loadConfig({ file: undefined, env: { REDIS_URL: 'redis://127.0.0.1:6379' }, overrides: { redisSentinel: { sentinels: ['127.0.0.1:26379'], name: 'mymaster' } } })).toThrowError(
      /redisSentinel.*give either redisUrl \(one Redis\) or redisSentinel \(Redis behind Sentinel\), not both/,
    );
  });

  it('the commented redisSentinel section of deploy/hopthu.production.yaml is valid once uncommented', () => {
    const lines = readFileSync('deploy/hopthu.production.yaml', 'utf8').split('\n');
    const start = lines.indexOf('# redisSentinel:');
    expect(start).toBeGreaterThan(0);
    let end = start + 1;
    while (lines[end]?.startsWith('#   ')) end++;
    const { redisSentinel } = YAML.parse(lines.slice(start, end).map((l) => l.slice(2)).join('\n')) as { redisSentinel: unknown };
    expect(sentinelOf(redisSentinel)).toMatchObject({ name: 'hopthu-redis', sentinels: [{ host: '10.20.0.11', port: 26379 }, { host: '10.20.0.12', port: 26379 }, { host: '10.20.0.13', port: 26379 }] });
  });
});
