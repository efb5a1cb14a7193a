import { monthName } from '@ledgerlake/lake';
import { validatedMonth } from '@ledgerlake/work-area';

/** Microseconds in a day. */
const DAY_MICROS = 86_400_000_000n;
const DAY_MS = 86_400_000;

/** A TransactionID as a map key: a number when it is a safe integer (almost always), else its canonical text. */
export type IdKey = number | string;

/** A row's business key (docs/contract/rules.md, "Business duplicates"), in a compact form. */
export interface RowKey {
  readonly id: IdKey;
  /** UTC day of the transaction, as days since 1970-01-01. */
  readonly day: number;
  /** `YYYY-MM` of the UTC day: the Silver partition to look in. */
  readonly month: string;
}

/** The id key of an int64: a number when exact, else the canonical decimal text. */
export function idKeyOf(id: bigint): IdKey {
  return id >= -9_007_199_254_740_991n && id <= 9_007_199_254_740_991n ? Number(id) : id.toString();
}

/** Days since the epoch of an instant in microseconds (floor, so instants before 1970 work too). */
export function dayOfMicros(micros: bigint): number {
  const days = micros / DAY_MICROS;
  return Number(micros < 0n && days * DAY_MICROS !== micros ? days - 1n : days);
}

/** Days since the epoch of an instant in milliseconds. */
export function dayOfMillis(millis: number): number {
  return Math.floor(millis / DAY_MS);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM` texts already built: a file touches a handful of months, and this runs once a row. */
const MONTH_TEXT = new Map<number, string>();

/** `YYYY-MM` of a month index (`year × 12 + month − 1` of the UTC time, as work parts carry it). */
export function monthOf(index: number): string {
  let text = MONTH_TEXT.get(index);
  if (text === undefined) {
    text = monthName(validatedMonth(index));
    MONTH_TEXT.set(index, text);
  }
  return text;
}

/**
 * The business key of a row: its `TransactionID` and the UTC instant of its `TransactionTimestamp`
 * (microseconds) with that instant's month index — as the enriched part carries them, parsed once.
 */
export function keyOf(id: bigint, txMicros: bigint, month: number): RowKey {
  return { id: idKeyOf(id), day: dayOfMicros(txMicros), month: monthOf(month) };
}

/** Fill of the key index past which it doubles. */
const MAX_LOAD = 0.7;

/** A hash of a numeric id and a day, for the key index (any integer id: equal keys hash alike). */
function keyHash(id: number, day: number): number {
  const lo = id >>> 0;
  const hi = Math.floor(id / 4_294_967_296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e37_79b1), 0x85eb_ca77) ^ Math.imul(day, 0xc2b2_ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b_3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/**
 * The business keys of one file, compact: one slot per distinct key, with the file row and
 * line that had it first and, once known, the published run that already holds it. The per-slot
 * facts live in typed arrays sized by the file's row count, and keys are found through an
 * open-addressing index of slot numbers (linear probing, at most 70 % full) — no JS object per
 * key: about 30 bytes per distinct key (a map of maps took about 60). An id beyond 2^53 (kept as
 * exact text) is indexed in a map of its own.
 */
export class FileKeyTable {
  /** Slot + 1 per position; 0 is empty. Its size is a power of two. */
  #index: Int32Array;
  readonly #days = new Set<number>();
  readonly #firstRow: Int32Array;
  readonly #firstLine: Int32Array;
  readonly #slotDay: Int32Array;
  readonly #slotId: Float64Array;
  readonly #bigIds = new Map<number, string>();
  /** Slots of the keys whose id is exact text, by `day|id`. */
  readonly #bigKeys = new Map<string, number>();
  /** Index + 1 into `#runs` of the published run holding the key; 0 when not published. */
  readonly #published: Int32Array;
  readonly #runs: string[] = [];
  readonly #runIndex = new Map<string, number>();
  #slots = 0;
  #numeric = 0;

  /** `capacity`: the most keys the file can have (its row count). */
  constructor(capacity: number) {
    this.#firstRow = new Int32Array(capacity);
    this.#firstLine = new Int32Array(capacity);
    this.#slotDay = new Int32Array(capacity);
    this.#slotId = new Float64Array(capacity);
    this.#published = new Int32Array(capacity);
    let size = 16;
    while (size * MAX_LOAD < Math.min(capacity, 1 << 20)) size *= 2;
    this.#index = new Int32Array(size);
  }

  /** Distinct keys so far. */
  get size(): number {
    return this.#slots;
  }

  /** Registers a row's key: returns its slot (existing, or new with `row`/`line` as the first). */
  register(key: RowKey, row: number, line: number): number {
    const known = this.find(key.day, key.id);
    if (known !== undefined) return known;
    const slot = this.#slots++;
    if (slot >= this.#firstRow.length) throw new RangeError(`loop-prevention: more keys than the ${this.#firstRow.length} rows announced`);
    this.#days.add(key.day);
    this.#firstRow[slot] = row;
    this.#firstLine[slot] = line;
    this.#slotDay[slot] = key.day;
    if (typeof key.id === 'number') {
      this.#slotId[slot] = key.id;
      if (++this.#numeric > this.#index.length * MAX_LOAD) this.#grow();
      this.#place(slot);
    } else {
      this.#bigIds.set(slot, key.id);
      this.#bigKeys.set(`${key.day}|${key.id}`, slot);
    }
    return slot;
  }

  /** The slot of a key, if the file has it. */
  find(day: number, id: IdKey): number | undefined {
    if (typeof id === 'string') return this.#bigKeys.get(`${day}|${id}`);
    const index = this.#index;
    const mask = index.length - 1;
    for (let at = keyHash(id, day) & mask; ; at = (at + 1) & mask) {
      const entry = index[at] as number;
      if (entry === 0) return undefined;
      const slot = entry - 1;
      if (this.#slotId[slot] === id && this.#slotDay[slot] === day) return slot;
    }
  }

  /** Whether the file has any key on `day` (cheap pre-check while scanning published data). */
  hasDay(day: number): boolean {
    return this.#days.has(day);
  }

  #place(slot: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let at = keyHash(this.#slotId[slot] as number, this.#slotDay[slot] as number) & mask;
    while (index[at] !== 0) at = (at + 1) & mask;
    index[at] = slot + 1;
  }

  #grow(): void {
    const old = this.#index;
    this.#index = new Int32Array(old.length * 2);
    for (const entry of old) if (entry !== 0) this.#place(entry - 1);
  }

  /** Records that `runId` already published the key of `slot` (the first run found is kept). */
  markPublished(slot: number, runId: string): void {
    if (this.#published[slot] !== 0) return;
    let index = this.#runIndex.get(runId);
    if (index === undefined) {
      index = this.#runs.push(runId);
      this.#runIndex.set(runId, index);
    }
    this.#published[slot] = index;
  }

  /** The run that published the key of `slot`, if any. */
  publishedBy(slot: number): string | undefined {
    const index = this.#published[slot] as number;
    return index === 0 ? undefined : this.#runs[index - 1];
  }

  /** The file row that had the key first. */
  firstRow(slot: number): number {
    return this.#firstRow[slot] as number;
  }

  /** The source line of the file row that had the key first. */
  firstLine(slot: number): number {
    return this.#firstLine[slot] as number;
  }

  /** `TransactionID <id> on <YYYY-MM-DD>`, for messages. */
  describe(slot: number): string {
    const id = this.#bigIds.get(slot) ?? String(this.#slotId[slot]);
    return `TransactionID ${id} on ${formatDay(this.#slotDay[slot] as number)}`;
  }
}
