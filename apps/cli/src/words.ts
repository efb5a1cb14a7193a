/** A count with its noun in the right number: `1 row`, `2 rows`, `0 rows` (thousands not grouped: the count as recorded). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
