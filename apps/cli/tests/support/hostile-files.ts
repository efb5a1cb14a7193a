import { gzipSync } from 'node:zlib';
import { seededRandom } from '@ledgerlake/testing';

/**
 * Seeded malformed transaction files for the fuzz suite: each seed gives one file, its main fault
 * chosen by the seed (every kind recurs every `HOSTILE_KINDS.length` seeds), with a random mix of
 * row-level faults on top. The generator knows only what it wrote; what the file *means* is left
 * to the independent reading (libs/testing `referenceCsvRecords`).
 */

/** The main fault of a file; the first three make the whole file unreadable. */
export const HOSTILE_KINDS = [
  'invalid-utf8',
  'truncated-gzip',
  'cr-only',
  'quoting',
  'unclosed-quote',
  'mixed-line-ends',
  'bom-and-blank-lines',
  'nul-bytes',
  'over-limit-field',
  'short-and-long-rows',
  'extreme-amounts',
  'extreme-ids',
  'extreme-dates',
  'hostile-accounts',
  'duplicates',
  'extra-columns',
] as const;

export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** Kinds after which no row can be read: the run fails, naming the file, and no row lands anywhere. */
export const FILE_FAULTS: ReadonlySet<HostileKind> = new Set(['invalid-utf8', 'truncated-gzip', 'cr-only']);

export interface HostileFile {
  readonly seed: number;
  readonly kind: HostileKind;
  /** The file name to ingest (`.csv.gz` for gzip). */
  readonly name: string;
  /** The bytes as the file holds them. */
  readonly bytes: Buffer;
  /** The CSV bytes (gunzipped where the file is gzip and whole). */
  readonly plain: Buffer;
}

const COLUMNS = ['TransactionID', 'CustomerID', 'TransactionAmount', 'Currency', 'TransactionTimestamp'];
/** Past the reader's record limit (1 MiB). */
const OVER_LIMIT = 1024 * 1024 + 40_000;

const EXTREME_AMOUNTS = ['99999999999999.99', '-99999999999999.99', '100000000000000.00', '-0.00', '1e3', '0.001', '000000000000000000012.50', '+5', '.5', '5.', '1,000.00', 'NaN', '１２.００', ' 7.25 ', '-', ''];
const EXTREME_IDS = ['0', '-1', '9223372036854775807', '9223372036854775808', '00012', '1.0', 'abc', '', ' 42 ', '0x10'];
const EXTREME_DATES = [
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '1969-12-31T23:59:59Z',
  '2024-02-30T00:00:00Z',
  '2024-01-05T25:00:00Z',
  '2024-01-05',
  '2024-01-05T09:00:00+14:00',
  '2024-01-05T09:00:00.123456Z',
  '2024-01-05T09:00:00.1234567Z',
  '2024-13-01T00:00:00Z',
  '2024-01-05 09:00:00',
];
const HOSTILE_ACCOUNTS = ['ACC\u200b001', '=HYPERLINK("http://x")', 'A\u0000B', '@SUM(A1)', '-ACC', '+ACC', 'ACC\u202e1', 'A'.repeat(100), 'ACC,001', 'ACC\n001', 'ACC\t1', 'ÄCC-ü1'];

/** The file of `seed`. */
export function hostileFile(seed: number): HostileFile {
  const kind = HOSTILE_KINDS[seed % HOSTILE_KINDS.length] as HostileKind;
  const random = seededRandom(seed * 7919 + 17);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chance = (p: number): boolean => random() < p;

  const extra = kind === 'extra-columns' || chance(0.1);
  const header = [...COLUMNS];
  if (kind === 'extra-columns') header.reverse();
  if (extra) header.splice(int(header.length + 1), 0, 'Note');
  const rows: string[][] = [];
  const count = 20 + int(60);
  for (let i = 0; i < count; i++) {
    const values: Record<string, string> = {
      TransactionID: String(10_000 + seed * 1000 + i),
      CustomerID: `ACC${String(int(40)).padStart(3, '0')}`,
      TransactionAmount: `${chance(0.3) ? '-' : ''}${int(5000)}.${String(int(100)).padStart(2, '0')}`,
      Currency: pick(['EUR', 'EUR', 'EUR', 'GBP', 'USD']),
      TransactionTimestamp: `2024-0${1 + int(3)}-${String(1 + int(28)).padStart(2, '0')}T${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:00Z`,
      Note: pick(['', 'ok', 'see "memo"', 'a, b']),
    };
    // Row-level faults: the kind's own, often, and any other, now and then.
    const fault = (what: HostileKind, p = 0.04): boolean => (kind === what ? chance(0.3) : chance(p));
    if (fault('extreme-amounts')) values['TransactionAmount'] = pick(EXTREME_AMOUNTS);
    if (fault('extreme-ids')) values['TransactionID'] = pick(EXTREME_IDS);
    if (fault('extreme-dates')) values['TransactionTimestamp'] = pick(EXTREME_DATES);
    if (fault('hostile-accounts')) values['CustomerID'] = pick(HOSTILE_ACCOUNTS);
    if (fault('nul-bytes')) values[pick(COLUMNS)] += '\u0000';
    if (fault('duplicates', 0.02) && rows.length > 0) {
      rows.push([...(pick(rows) as string[])]);
      continue;
    }
    let fields = header.map((column) => values[column] ?? '');
    if (fault('short-and-long-rows', 0.03)) fields = chance(0.5) ? fields.slice(0, 1 + int(fields.length - 1)) : [...fields, 'surplus', ...(chance(0.5) ? [''] : [])];
    rows.push(fields);
  }

  const encoded = rows.map((fields) => fields.map((field) => encodeField(field, kind, chance, int)));
  const lines = [header.join(','), ...encoded.map((fields) => fields.join(','))];
  if (kind === 'over-limit-field' || chance(0.05)) {
    // A quoted field past the record limit that holds row-like lines: one unparseable record.
    const at = 1 + int(lines.length - 1);
    const phantom = `${90_000 + seed},PHANTOM,1.00,EUR,2024-01-01T00:00:00Z`;
    const body = `${'x'.repeat(OVER_LIMIT / 2)}\n${phantom}\n${'y'.repeat(OVER_LIMIT / 2)}`;
    lines.splice(at, 0, `${80_000 + seed},"${body}",1.00,EUR,2024-01-05T09:00:00Z`);
  }
  if (kind === 'unclosed-quote') {
    const at = Math.max(1, lines.length - 1 - int(5));
    lines[at] = (lines[at] as string).replace(/,([^,]*)$/, ',"$1');
  }
  if (kind === 'bom-and-blank-lines' || chance(0.15)) {
    for (let n = 1 + int(4); n > 0; n--) lines.splice(1 + int(lines.length), 0, pick(['', '   ', '\t', '""']));
  }

  let text: string;
  if (kind === 'cr-only') text = lines.join('\r');
  else if (kind === 'mixed-line-ends' || chance(0.2)) text = lines.map((line) => line + pick(['\n', '\r\n'])).join('');
  else text = `${lines.join(chance(0.3) ? '\r\n' : '\n')}${chance(0.8) ? '\n' : ''}`;
  if (kind === 'bom-and-blank-lines' || chance(0.1)) text = `\uFEFF${text}`;
  let plain = Buffer.from(text, 'utf8');
  if (kind === 'invalid-utf8') {
    const at = plain.indexOf(0x0a) + 1 + int(plain.length - plain.indexOf(0x0a) - 2);
    plain = Buffer.concat([plain.subarray(0, at), Buffer.of(pick([0xff, 0xc3, 0xed, 0x80])), plain.subarray(at)]);
  }
  const gzip = kind === 'truncated-gzip' || chance(0.1);
  let bytes = gzip ? gzipSync(plain) : plain;
  if (kind === 'truncated-gzip') bytes = bytes.subarray(0, Math.floor(bytes.length * (0.3 + random() * 0.5)));
  return { seed, kind, name: `hostile-${String(seed).padStart(2, '0')}-${kind}.csv${gzip ? '.gz' : ''}`, bytes, plain };
}

/** Writes a field: mostly as is, sometimes quoted (properly or not), as the kind has it. */
function encodeField(field: string, kind: HostileKind, chance: (p: number) => boolean, int: (n: number) => number): string {
  const needsQuotes = /[",\r\n]/.test(field);
  if (kind === 'quoting' && chance(0.15)) {
    switch (int(4)) {
      case 0:
        return `"${field.replace(/"/g, '""')}"`;
      case 1:
        // A stray quote inside an unquoted field: data.
        return needsQuotes ? `"${field.replace(/"/g, '""')}"` : `${field.slice(0, 1)}"${field.slice(1)}`;
      case 2:
        // A quote that ends quoting early: the field goes on unquoted.
        return needsQuotes ? `"${field.replace(/"/g, '""')}"` : `"${field}"x`;
      default:
        return `"${field.replace(/"/g, '""')}\n${int(9)},ACC001,1.00,EUR,2024-01-05T09:00:00Z"`;
    }
  }
  return needsQuotes || chance(0.05) ? `"${field.replace(/"/g, '""')}"` : field;
}
