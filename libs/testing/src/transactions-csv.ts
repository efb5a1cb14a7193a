import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** How many rows of each kind of problem `generateTransactionsCsv` mixes in (fractions of all rows). */
export interface BadRowMix {
  readonly schema: number;
  readonly nullValue: number;
  readonly badId: number;
  readonly badAmount: number;
  readonly badCurrency: number;
  readonly badTimestamp: number;
  readonly duplicate: number;
}

/** Options of `generateTransactionsCsv`. */
export interface GenerateOptions {
  readonly rows: number;
  readonly seed?: number;
  readonly accounts?: number;
  /** First and last month (inclusive) of the transaction timestamps, `YYYY-MM`. */
  readonly from?: string;
  readonly to?: string;
  readonly bad?: Partial<BadRowMix>;
  /** First TransactionID (ids are consecutive from here). */
  readonly firstId?: number;
}

/** What `generateTransactionsCsv` wrote: the expected totals a test or benchmark checks against. */
export interface GeneratedFile {
  readonly rows: number;
  readonly bytes: number;
  readonly intended: Record<keyof BadRowMix | 'valid', number>;
}

/** About 2 % bad rows of every kind, as a realistic month-end file has. */
export const DEFAULT_BAD_ROW_MIX: BadRowMix = {
  schema: 0.003,
  nullValue: 0.004,
  badId: 0.002,
  badAmount: 0.003,
  badCurrency: 0.003,
  badTimestamp: 0.003,
  duplicate: 0.002,
};

const CURRENCIES = ['EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'EUR', 'USD', 'GBP', 'CHF', 'SEK', 'PLN'];
const CHANNELS = ['branch', 'online', 'mobile', 'batch'];

/** A small fast deterministic PRNG (mulberry32), so that generated files are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function monthIndex(ym: string): number {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

/**
 * Writes a realistic transactions CSV (header plus `rows` rows, an extra `Channel` column,
 * mixed timestamp styles, some quoted fields) with a deterministic mix of bad rows, streaming,
 * so that files of any size can be made. Returns what it meant to write.
 */
export async function generateTransactionsCsv(path: string, options: GenerateOptions): Promise<GeneratedFile> {
  const random = seededRandom(options.seed ?? 42);
  const accounts = options.accounts ?? 50_000;
  const from = monthIndex(options.from ?? '2023-01');
  const months = monthIndex(options.to ?? '2024-12') - from + 1;
  const mix = { ...DEFAULT_BAD_ROW_MIX, ...options.bad };
  const kinds = Object.entries(mix) as [keyof BadRowMix, number][];
  const intended: Record<keyof BadRowMix | 'valid', number> = {
    valid: 0, schema: 0, nullValue: 0, badId: 0, badAmount: 0, badCurrency: 0, badTimestamp: 0, duplicate: 0,
  };
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp,Channel\n';
  const recent: string[][] = [];
  let id = options.firstId ?? 1;

  for (let i = 0; i < options.rows; i++) {
    const m = from + Math.floor(random() * months);
    const day = 1 + Math.floor(random() * 28);
    const h = Math.floor(random() * 24);
    const min = Math.floor(random() * 60);
    const s = Math.floor(random() * 60);
    const date = `${Math.floor(m / 12)}-${pad((m % 12) + 1)}-${pad(day)}`;
    const styles = random();
    const ts =
      styles < 0.6 ? `${date}T${pad(h)}:${pad(min)}:${pad(s)}Z`
      : styles < 0.85 ? `${date} ${pad(h)}:${pad(min)}:${pad(s)}`
      : `${date}T${pad(h)}:${pad(min)}:${pad(s)}+01:00`;
    // Skewed account popularity: a few accounts are very active, most are not.
    const account = `ACC${pad(Math.floor(accounts * random() * random()), 6)}`;
    const cents = Math.floor(random() * 2_500_000) - 500_000;
    const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${pad(Math.abs(cents) % 100)}`;
    const currency = CURRENCIES[Math.floor(random() * CURRENCIES.length)] as string;
    let fields = [String(id++), random() < 0.05 ? `"${account}"` : account, amount, currency, ts];

    let r = random();
    let kind: keyof BadRowMix | 'valid' = 'valid';
    for (const [k, share] of kinds) {
      if (r < share) {
        kind = k;
        break;
      }
      r -= share;
    }
    switch (kind) {
      case 'schema': fields = fields.slice(0, 4); break;
      case 'nullValue': fields[1 + Math.floor(random() * 4)] = '  '; break;
      case 'badId': fields[0] = `T${fields[0]}`; break;
      case 'badAmount': fields[2] = random() < 0.5 ? `${amount}5` : `1,${pad(Math.abs(cents) % 1000, 3)}.00`; break;
      case 'badCurrency': fields[3] = random() < 0.5 ? currency.toLowerCase() : 'XXX'; break;
      case 'badTimestamp': fields[4] = random() < 0.5 ? `${Math.floor(m / 12)}-02-30 10:00:00` : 'yesterday'; break;
      case 'duplicate': {
        const earlier = recent[Math.floor(random() * recent.length)];
        if (earlier) fields = [...earlier];
        else kind = 'valid';
        break;
      }
      default: break;
    }
    intended[kind]++;
    if (kind === 'valid' && recent.length < 1000) recent.push(fields);
    else if (kind === 'valid' && random() < 0.01) recent[Math.floor(random() * recent.length)] = fields;
    // Quote the amount when it carries a comma, as a CSV writer would.
    const line = fields.map((f) => (f.includes(',') ? `"${f}"` : f)).join(',');
    buffer += `${line},${CHANNELS[i % CHANNELS.length]}\n`;
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return { rows: options.rows, bytes, intended };
}
