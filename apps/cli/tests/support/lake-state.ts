import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LivenessProbe } from '@ledgerlake/ledgers';
import { runCli } from './cli-harness';

/*
 * The published state of a lake, read the way its readers read it (SQL over what each month's
 * `_LATEST.json` lists, through the lake's catalog), without what differs between two runs of
 * the same file (run ids, execution ARNs, ingestion times): two lakes that processed the same
 * input exactly once have equal states.
 */

/** Every holder is dead: what a run crashed inside this test process looks like to the next one. */
export const ALL_DEAD: LivenessProbe = { isDead: async () => true };

const QUERIES = {
  silver:
    'select id, account_id, cast(amount as varchar) as amount, currency, tx_date, source_line, row_hash, attempt_count from silver.transactions order by source_line, id',
  quarantine: 'select source_line, validation_error, row_hash from quarantine.rows order by source_line',
  condemned: 'select source_line, validation_error, row_hash from quarantine.condemned order by source_line',
  balances:
    'select account_id, currency, as_of_month, cast(balance as varchar) as balance, tx_count, last_tx_date from gold.account_balances order by all',
  reports:
    'select account_id, currency, month, tx_count, cast(credits as varchar) as credits, cast(debits as varchar) as debits, cast(closing_balance as varchar) as closing from gold.monthly_reports order by all',
} as const;

/** One lake's published state. */
export type LakeState = Record<keyof typeof QUERIES, unknown[]>;

/** Reads the lake's published state with `ledgerlake query`. */
export async function publishedState(lake: string, cwd: string): Promise<LakeState> {
  const state: Partial<LakeState> = {};
  for (const [name, sql] of Object.entries(QUERIES) as [keyof typeof QUERIES, string][]) {
    const result = await runCli(['query', sql, '--json', '--lake', lake], cwd);
    if (result.code !== 0) throw new Error(`query ${name} failed: ${result.stderr}`);
    state[name] = JSON.parse(result.stdout) as unknown[];
  }
  return state as LakeState;
}

/**
 * What must hold in any lake at rest: no pending promotion, no file claim still held (each is
 * processed or released), and every catalog entry at its month's `_LATEST.json` version.
 */
export async function restingProblems(lake: string): Promise<string[]> {
  const problems: string[] = [];
  const pending = await readdir(join(lake, 'artifacts/control/promotions')).catch(() => []);
  if (pending.length > 0) problems.push(`pending promotions: ${pending.join(', ')}`);
  const ledger = join(lake, 'artifacts/ledger/processed-files');
  for (const name of await readdir(ledger).catch(() => [])) {
    const entry = JSON.parse(await readFile(join(ledger, name), 'utf8')) as { status: string; run_id: string };
    if (entry.status === 'claimed') problems.push(`file claim still held by run ${entry.run_id}`);
  }
  for (const [table, root] of [
    ['silver.transactions', 'silver/mortgages/transactions'],
    ['gold.account_balances', 'gold/finance/account_balances/schema_v=v1'],
    ['gold.monthly_reports', 'gold/finance/monthly_reports/schema_v=v1'],
  ] as const) {
    for (const latest of await latestFiles(join(lake, root))) {
      const value = JSON.parse(await readFile(latest, 'utf8')) as { partition: string; version: number };
      const entry = join(lake, 'artifacts/catalog', table, `${value.partition}.json`);
      const catalog = (await readFile(entry, 'utf8').then((text) => JSON.parse(text) as { version: number }).catch(() => undefined)) as
        | { version: number }
        | undefined;
      if (catalog?.version !== value.version) {
        problems.push(`${table} ${value.partition}: _LATEST.json v${value.version}, catalog ${catalog === undefined ? 'none' : `v${catalog.version}`}`);
      }
    }
  }
  return problems;
}

async function latestFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !['current', '_versions', '_manifests'].includes(entry.name) && !entry.name.startsWith('run_id=')) {
      found.push(...(await latestFiles(path)));
    } else if (entry.name === '_LATEST.json') found.push(path);
  }
  return found;
}
