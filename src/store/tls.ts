import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  selfSigned: boolean;
}

/**
 * The configured certificate and key, or a self-signed pair made once for development
 * and kept in dataDir/tls.
 */
export async function loadTlsMaterial(opts: { certFile?: string; keyFile?: string; dataDir: string; hostname: string }): Promise<TlsMaterial> {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('tls.certFile and tls.keyFile must be set together');
    return { cert: readFileSync(opts.certFile), key: readFileSync(opts.keyFile), selfSigned: false };
  }
  const dir = path.join(opts.dataDir, 'tls');
  const certPath = path.join(dir, 'self-signed.crt');
  const keyPath = path.join(dir, 'self-signed.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pems = await generate([{ name: 'commonName', value: opts.hostname }], {
      keySize: 2048,
      days: 825,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: opts.hostname }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    } as never);
    writeFileSync(keyPath, pems.private, { mode: 0o600 });
    writeFileSync(certPath, pems.cert);
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), selfSigned: true };
}
