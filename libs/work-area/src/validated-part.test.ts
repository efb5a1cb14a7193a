import { MemoryObjectStore } from '@ledgerlake/storage';
import { decodeValidatedPart, encodeValidatedPart, readValidatedPart, ROW_FATE, ValidatedPartBuilder, writeValidatedPart } from './validated-part';

const valid = (id: bigint, amountMinor: bigint, iso: string) => {
  const at = new Date(iso);
  return { ok: true as const, id, amountMinor, txMicros: BigInt(at.getTime()) * 1000n, year: at.getUTCFullYear(), month: at.getUTCMonth() + 1 };
};

function threeRows() {
  const builder = new ValidatedPartBuilder(3);
  builder.valid(valid(9_007_199_254_740_993n, -9_999_999_999_999_999n, '2024-12-31T23:59:59Z'));
  builder.quarantined();
  builder.condemned();
  return builder.build();
}

describe('validated work parts', () => {
  it('keep every row’s fate and the exact typed values of the valid ones through bytes and the store', async () => {
    const store = new MemoryObjectStore();
    const ref = { bucket: 'artifacts', key: 'work/r/validated/part-00000.bin' };
    await writeValidatedPart(store, ref, threeRows());

    const part = await readValidatedPart(store, ref);

    expect(part.rows).toBe(3);
    expect([...part.fate]).toEqual([ROW_FATE.valid, ROW_FATE.quarantined, ROW_FATE.condemned]);
    expect([part.id[0], part.amountMinor[0], part.txMicros[0]]).toEqual([9_007_199_254_740_993n, -9_999_999_999_999_999n, 1_735_689_599_000_000n]);
    expect(part.month[0]).toBe(2024 * 12 + 11);
  });

  it('reads a part from a buffer that does not start on 8 bytes', () => {
    const bytes = encodeValidatedPart(threeRows());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);

    expect(decodeValidatedPart(shifted.subarray(3), 'part').amountMinor[0]).toBe(-9_999_999_999_999_999n);
  });

  it('refuses bytes that are not a whole validated part', () => {
    const bytes = encodeValidatedPart(threeRows());

    expect(() => decodeValidatedPart(bytes.subarray(0, bytes.length - 1), 'p')).toThrow('pipeline: p has 107 bytes, not those of 3 rows');
    expect(() => decodeValidatedPart(new TextEncoder().encode('0\tTYPE_ERROR\tx\n'), 'p')).toThrow('pipeline: p is not a validated work part');
  });

  it('holds exactly the rows it was built for', () => {
    const short = new ValidatedPartBuilder(2);
    short.quarantined();
    expect(() => short.build()).toThrow('pipeline: validated part has 1 of its 2 rows');
    short.quarantined();
    expect(() => short.condemned()).toThrow('pipeline: validated part holds 2 rows, got more');
  });

  it('says so when validation has not written the part', async () => {
    await expect(readValidatedPart(new MemoryObjectStore(), { bucket: 'artifacts', key: 'k.bin' })).rejects.toThrow('pipeline: validated work part artifacts/k.bin does not exist');
  });
});
