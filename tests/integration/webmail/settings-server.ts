/** The server every settings test starts: its own database and Redis, the web role (and others asked for), the domain yenbai.gov.vn. */
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import type { Role, RunningServer } from '../../../src/cli/server.js';

export interface SettingsServer {
  env: TestEnv;
  server: RunningServer;
  /** http://127.0.0.1:<port> of the web role */
  base: string;
}

export async function startSettingsServer(roles: Role[] = ['web'], overrides: Record<string, unknown> = {}): Promise<SettingsServer> {
  const env = await createTestEnv();
  const server = await env.start(overrides, roles);
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  return { env, server, base: `http://127.0.0.1:${server.ports.http}` };
}
