import { formatCopySource } from './copy-source';

describe('formatCopySource', () => {
  it('keeps plain keys readable and slashes as separators', () => {
    expect(formatCopySource('lake', 'bronze/2024/tx-01_a.csv')).toBe('lake/bronze/2024/tx-01_a.csv');
  });

  it.each([
    ['a b', 'a%20b'],
    ['a+b', 'a%2Bb'],
    ['100%', '100%25'],
    ['q?x#y', 'q%3Fx%23y'],
    ['year=2024', 'year%3D2024'],
    ['a&b', 'a%26b'],
    ["it's(1)*!", 'it%27s%281%29%2A%21'],
    ['ä€', '%C3%A4%E2%82%AC'],
    ['~tilde', '~tilde'],
  ])('encodes %p as %p', (key, encoded) => {
    expect(formatCopySource('b', key)).toBe(`b/${encoded}`);
  });

  it('round-trips through full percent-decoding (what S3 does)', () => {
    const key = 'silver/year=2024/month=01/ä b+c%d?#&.parquet';

    expect(decodeURIComponent(formatCopySource('b', key))).toBe(`b/${key}`);
  });
});
