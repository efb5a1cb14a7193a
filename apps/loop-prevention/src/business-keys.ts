import { monthName, validatedMonth } from '@ledgerlake/pipeline';

/** Microseconds in a day. */
const DAY_MICROS = 86_400_000_000n;
const DAY_MS = 86_400_000;

/** A TransactionID as a map key: a number when it is a safe integer (almost always), else its canonical text. */
export type IdKey = number | string;

/** A row's business key (PRODUCT.md §3.2), in a compact form. */
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

/**
 * The business keys of one file, compact: one slot per distinct key, with the file row and
 * line that had it first and, once known, the published run that already holds it. Keys live
 * in per-day maps of numeric ids (no string per key); the per-slot facts in typed arrays sized
 * by the file's row count. About 40-60 bytes per distinct key.
 */
export class FileKeyTable {
  readonly #byDay = new Map<number, Map<IdKey, number>>();
  readonly #firstRow: Int32Array;
  readonly #firstLine: Int32Array;
  readonly #slotDay: Int32Array;
  readonly #slotId: Float64Array;
  readonly #bigIds = new Map<number, string>();
  /** Index + 1 into `#runs` of the published run holding the key; 0 when not published. */
  readonly #published: Int32Array;
  readonly #runs: string[] = [];
  readonly #runIndex = new Map<string, number>();
  #slots = 0;

  /** `capacity`: the most keys the file can have (its row count). */
  constructor(capacity: number) {
    this.#firstRow = new Int32Array(capacity);
    this.#firstLine = new Int32Array(capacity);
    this.#slotDay = new Int32Array(capacity);
    this.#slotId = new Float64Array(capacity);
    this.#published = new Int32Array(capacity);
  }

  /** Distinct keys so far. */
  get size(): number {
    return this.#slots;
  }

  /** Registers a row's key: returns its slot (existing, or new with `row`/`line` as the first). */
  register(key: RowKey, row: number, line: number): number {
    let ids = this.#byDay.get(key.day);
    if (ids === undefined) {
      ids = new Map();
      this.#byDay.set(key.day, ids);
    }
    const known = ids.get(key.id);
    if (known !== undefined) return known;
    const slot = this.#slots++;
    if (slot >= this.#firstRow.length) throw new RangeError(`loop-prevention: more keys than the ${this.#firstRow.length} rows announced`);
    ids.set(key.id, slot);
    this.#firstRow[slot] = row;
    this.#firstLine[slot] = line;
    this.#slotDay[slot] = key.day;
    if (typeof key.id === 'number') this.#slotId[slot] = key.id;
    else this.#bigIds.set(slot, key.id);
    return slot;
  }

  /** The slot of a key, if the file has it. */
  find(day: number, id: IdKey): number | undefined {
    return this.#byDay.get(day)?.get(id);
  }

  /** Whether the file has any key on `day` (cheap pre-check while scanning published data). */
  hasDay(day: number): boolean {
    return this.#byDay.has(day);
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
