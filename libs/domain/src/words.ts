/** A count with its noun in the right number, as every sentence the product prints says it: `1 row`, `2 rows`, `0 rows`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
