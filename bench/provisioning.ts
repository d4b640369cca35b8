/**
 * The provisioning benchmark: a generated provincial directory of 3,000 and of 20,000
 * people in a throwaway slapd (size limit below the directory, so every read is paged),
 * against a private embedded PostgreSQL with its durable defaults. For each size: the
 * first plan (read + compare), the first apply (agencies, agency mailboxes, staff groups,
 * accounts with folders and activation codes, audit events), and a re-plan that finds
 * nothing to do. The reference is the paged directory read alone, the floor of a plan.
 * Knob: BENCH_PROVISIONING_SIZES (default "3000,20000").
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup } from './lib/cleanup.js';
import type { Metric } from './lib/report.js';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { createPool } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { silentLogger } from '../src/shared/logger.js';
import { loadConfig } from '../src/config/index.js';
import { addDomain } from '../src/identity/domains.js';
import { readLdap } from '../src/provisioning/ldap-source.js';
import { planFromSnapshot, readSource } from '../src/provisioning/service.js';
import { runForPlan } from '../src/provisioning/runs.js';
import { applyPlan } from '../src/provisioning/apply.js';
import { startSlapd } from '../tests/support/slapd.js';
import { generateDirectory } from '../tests/support/directory-generator.js';

const log = (text: string) => console.error(`provisioning: ${text}`);

/** targets of issue 5, seconds */
const TARGETS: Record<number, { plan?: number; apply?: number; replan?: number }> = {
  3000: { apply: 10 },
  20000: { plan: 10, apply: 60, replan: 5 },
};

function sizes(): number[] {
  const raw = process.env.BENCH_PROVISIONING_SIZES ?? '3000,20000';
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`BENCH_PROVISIONING_SIZES=${raw}: expected whole numbers >= 10, comma-separated`);
  return list;
}

const seconds = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
};

export async function runProvisioningBench(): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-bench-provisioning-'));
  chmodSync(tmp, 0o755);
  const removeTmp = registerCleanup('remove the provisioning bench directory', async () => rmSync(tmp, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'postgres'), log: silentLogger });
  const stopPg = registerCleanup('provisioning bench PostgreSQL', () => pg.stop());
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = {};
  try {
    for (const people of sizes()) {
      const database = `bench_provisioning_${people}`;
      const admin = createPool(pg.url, 1);
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const db = createPool(pg.url.replace(/\/hopthu(\?|$)/, `/${database}$1`), 4);
      const dir = generateDirectory({ seed: people, people });
      log(`${people} people, ${dir.agencies.length} agencies: loading slapd`);
      const slapd = await startSlapd({ ldif: dir.ldif, sizeLimit: 1000 });
      const stopSlapd = registerCleanup(`slapd with ${people} people`, () => slapd.stop());
      try {
        await migrate(db);
        await addDomain(db, 'tinh.gov.vn', { selector: 'bench', privateKeyPem: '', publicKeyPem: '' });
        const config = loadConfig({
          env: {},
          file: undefined,
          overrides: {
            'provisioning.domain': 'tinh.gov.vn',
            'provisioning.ldap': { url: slapd.url, bindDn: slapd.readerDn, bindPassword: slapd.readerPassword, people: { baseDn: dir.unitsDn }, agencies: { baseDn: dir.unitsDn }, pageSize: 1000 },
          },
        });
        await readLdap(config.provisioning.ldap!); // slapd's caches warm, as for the reads below
        const [, readSeconds] = await seconds(() => readLdap(config.provisioning.ldap!));
        const [plan, planSeconds] = await seconds(async () => planFromSnapshot(db, config, await readSource(config, 'ldap')));
        log(`${people}: planned ${plan.items.length} items in ${planSeconds.toFixed(1)} s (directory read ${readSeconds.toFixed(1)} s)`);
        const [summary, applySeconds] = await seconds(async () => {
          const run = await runForPlan(db, plan, 'bench');
          return applyPlan(db, plan, {
            runId: run.id,
            actor: 'bench',
            batchSize: config.provisioning.batchSize,
            quotaBytes: config.accounts.defaultQuotaBytes,
            activationDays: config.activation.codeDays,
            allowMassDisable: false,
          });
        });
        log(`${people}: applied ${summary.applied} items in ${applySeconds.toFixed(1)} s`);
        const [again, replanSeconds] = await seconds(async () => planFromSnapshot(db, config, await readSource(config, 'ldap')));
        if (again.items.length) throw new Error(`the re-plan after applying found ${again.items.length} items; it must find none`);
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE kind = 'person'`);
        if (rows[0]!.n !== people) throw new Error(`applying made ${rows[0]!.n} person accounts for ${people} people`);
        log(`${people}: re-planned (nothing to do) in ${replanSeconds.toFixed(1)} s`);
        const t = TARGETS[people] ?? {};
        const metric = (name: string, value: number, target: number | undefined): Metric => ({
          bench: 'provisioning',
          metric: `${people.toLocaleString('en-US')} people: ${name}`,
          unit: 's',
          hopthu: value,
          reference: readSeconds,
          ratio: value / readSeconds,
          ...(target ? { target: `< ${target} s`, met: value < target } : {}),
        });
        metrics.push(metric('first plan', planSeconds, t.plan), metric('first apply', applySeconds, t.apply), metric('no-op re-plan', replanSeconds, t.replan));
        details[String(people)] = { agencies: dir.agencies.length, items: plan.items.length, counts: plan.counts, readSeconds, planSeconds, applySeconds, replanSeconds };
      } finally {
        await db.end();
        await slapd.stop();
        stopSlapd();
      }
    }
    return { metrics, details: { ...details, reference: 'paged LDAP read of the same directory alone' } };
  } finally {
    await pg.stop();
    stopPg();
    rmSync(tmp, { recursive: true, force: true });
    removeTmp();
  }
}

// `tsx bench/provisioning.ts` runs this benchmark alone
if (import.meta.url === `file://${process.argv[1]}`) {
  runProvisioningBench().then(
    ({ metrics }) => {
      for (const m of metrics) console.log(`${m.metric}: ${(m.hopthu as number).toFixed(2)} s${m.target ? ` (target ${m.target}: ${m.met ? 'met' : 'MISSED'})` : ''}`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
