import { InvalidInputError, missingColumns, MissingColumnsError, REQUIRED_COLUMNS } from '@ledgerlake/domain';

/** A file's header, checked: its trimmed names, where the required columns are, and what else it has. */
export interface CheckedHeader {
  /** Every header name, trimmed, in file order. */
  readonly names: readonly string[];
  /** Position of each required column in a record, in `REQUIRED_COLUMNS` order. */
  readonly positions: readonly [number, number, number, number, number];
  /** Names beyond the required five, in file order (ignored, and reported). */
  readonly extra: readonly string[];
}

/**
 * Checks the header record: trims the names; a name holding a carriage return (a file with bare
 * CR line ends reads as one record) → `InvalidInputError` saying so; duplicate names → `InvalidInputError` (which of the
 * two columns would a row's value come from?); missing required columns → `MissingColumnsError`
 * naming them. Unnamed columns (a trailing comma) are extra columns named `""`, and may repeat.
 */
export function checkHeader(fields: readonly string[], file: string, line: number): CheckedHeader {
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
  const missing = missingColumns(names);
  if (missing.length > 0) throw new MissingColumnsError(file, missing, names);
  const required = new Set<string>(REQUIRED_COLUMNS);
  const positions = REQUIRED_COLUMNS.map((column) => names.indexOf(column)) as unknown as CheckedHeader['positions'];
  return { names, positions, extra: names.filter((name) => !required.has(name)) };
}
