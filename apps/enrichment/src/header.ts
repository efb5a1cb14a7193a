import { type ColumnRole, type DatasetSpec, InvalidInputError, inputColumns, missingColumns, MissingColumnsError } from '@ledgerlake/domain';

/** A file's header, checked: its trimmed names, where the dataset's columns are, and what else it has. */
export interface CheckedHeader {
  /** Every header name, trimmed, in file order. */
  readonly names: readonly string[];
  /** Position in a record of each role's column (the dataset's names for them, dataset-spec.ts). */
  readonly positions: { readonly [role in ColumnRole]: number };
  /** Names beyond the dataset's five, in file order (ignored, and reported). */
  readonly extra: readonly string[];
}

/**
 * Checks the header record: trims the names; a name holding a carriage return (a file with bare
 * CR line ends reads as one record) → `InvalidInputError` saying so; duplicate names → `InvalidInputError` (which of the
 * two columns would a row's value come from?); missing columns of `dataset` → `MissingColumnsError`
 * naming them. Unnamed columns (a trailing comma) are extra columns named `""`, and may repeat.
 */
export function checkHeader(fields: readonly string[], file: string, line: number, dataset: DatasetSpec): CheckedHeader {
  const names = fields.map((name) => name.trim());
  // csv-parse ends records at LF or CRLF: a file whose lines end in a bare CR reads as one record.
  if (names.some((name) => name.includes('\r'))) {
    throw new InvalidInputError(
      file,
      // The whole file, not one line of it.
      'ends its lines with a bare carriage return (CR, old Mac style): only LF or CRLF line ends are read; save it with LF or CRLF line ends',
    );
  }
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    if (name !== '' && seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  if (duplicates.size > 0) {
    const listed = [...duplicates].join(', ');
    throw new InvalidInputError(file, `has duplicate column name(s) in its header: ${listed}`, { line });
  }
  const missing = missingColumns(dataset, names);
  if (missing.length > 0) throw new MissingColumnsError(file, missing, names);
  const required = new Set<string>(inputColumns(dataset));
  const at = (role: ColumnRole): number => names.indexOf(dataset.columns[role].input);
  const positions = { id: at('id'), account: at('account'), amount: at('amount'), currency: at('currency'), timestamp: at('timestamp') };
  return { names, positions, extra: names.filter((name) => !required.has(name)) };
}
