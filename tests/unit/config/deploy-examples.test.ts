import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '../../../src/config/index.js';

describe('the deployment examples in deploy/', () => {
  it('hopthu.production.yaml is a valid configuration on the standard ports with certificates from files', () => {
    const config = loadConfig({ env: {}, file: 'deploy/hopthu.production.yaml' });
    expect(config.ports).toEqual({ smtp: 25, submission: 587, submissions: 465, imap: 143, imaps: 993, http: 8080, health: 9465 });
    expect(config.tls.certFile).toBe('/etc/hopthu/tls/fullchain.pem');
    expect(config.imap.allowPlaintextLoginOnLoopback).toBe(false);
    expect(config.databaseUrl).toMatch(/^postgresql:\/\//);
  });

  it("hopthu.production.yaml's commented blobs section, uncommented, is a valid S3 configuration", () => {
    const text = readFileSync('deploy/hopthu.production.yaml', 'utf8');
    const block = /^# blobs:\n(?:#   .*\n)+/m.exec(text)![0].replace(/^# ?/gm, '');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hopthu-conf-')), 'hopthu.yaml');
    writeFileSync(file, block);
    const config = loadConfig({ env: { HOPTHU_BLOBS__S3__SECRET_ACCESS_KEY: 'bi-mat' }, file });
    expect(config.blobs.store).toBe('s3');
    expect(config.blobs.s3).toMatchObject({ endpoint: 'https://minio.yenbai.gov.vn:9000', bucket: 'hopthu-blobs', prefix: '', forcePathStyle: true, secretAccessKey: 'bi-mat' });
  });

  it("docker-compose.yml's environment for hopthu is a valid configuration", () => {
    const compose = YAML.parse(readFileSync('deploy/docker-compose.yml', 'utf8')) as { services: Record<string, { environment?: Record<string, string>; command?: string[] }> };
    const env = compose.services.hopthu!.environment!;
    const config = loadConfig({ env, file: undefined });
    expect(config.ports.smtp).toBe(25);
    expect(config.tls.keyFile).toBe('/etc/hopthu/tls/privkey.pem');
    expect(config.redisUrl).toBe('redis://redis:6379');
    // the Redis the compose file starts has the settings hopthu checks for
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
  });
});
