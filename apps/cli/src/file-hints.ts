import { open } from 'node:fs/promises';
import { inputColumns, TRANSACTIONS_DATASET } from '@ledgerlake/domain';
import type { FileOutcome } from './ingest';
import type { InputFile } from './input-files';

/*
 * A file that failed on its own (its encoding, its delimiter, its header) is explained in the
 * user's terms: the error names the file as they typed it (not its Bronze key), and a hint says
 * the likely cause and what to do — the byte that is not UTF-8 and the conversion to run, a file
 * separated by semicolons or tabs, header names that differ from the required ones only in case
 * or spacing.
 */

/** The outcome with its error naming `file` as the user typed it, and a hint when the cause is plain. */
export async function explainFileOutcome(outcome: FileOutcome, file: InputFile): Promise<FileOutcome> {
  if (outcome.error === undefined || outcome.source === null) return outcome;
  const bronze = `${outcome.source.bucket}/${outcome.source.key}`;
  const message = outcome.error.message.replace(/^enrichment: /, '').replaceAll(`s3://${bronze}`, file.path).replaceAll(bronze, file.path);
  const hint = await hintFor(outcome.error.name, message, file);
  return { ...outcome, error: { ...outcome.error, message }, ...(hint === undefined ? {} : { hint }) };
}

async function hintFor(name: string, message: string, file: InputFile): Promise<string | undefined> {
  const notUtf8 = /is not valid UTF-8 \(invalid byte sequence at byte (\d+)\)/.exec(message);
  if (notUtf8 !== null && !file.path.endsWith('.gz')) return encodingHint(file, Number(notUtf8[1]));
  if (name !== 'MissingColumnsError') return undefined;
  const header = /\(header has: (.*)\)$/.exec(message)?.[1] ?? '';
  for (const [separator, called] of [
    [';', 'semicolons'],
    ['\t', 'tabs'],
  ] as const) {
    if (header.includes(separator) && !header.includes(',')) {
      return `${file.path} looks separated by ${called}, not commas: export it as comma-separated CSV (and amounts with a decimal point: 12.50, not 12,50).`;
    }
  }
  const names = header.split(',').map((column) => column.trim());
  const near = inputColumns(TRANSACTIONS_DATASET).flatMap((required) => {
    const found = names.find((column) => column !== required && squeeze(column) === squeeze(required));
    return found === undefined ? [] : [`"${found}" → "${required}"`];
  });
  return near.length === 0 ? undefined : `The header names differ from the required ones only in case or spacing: rename ${near.join(', ')}.`;
}

function squeeze(name: string): string {
  return name.replace(/[\s_-]+/g, '').toLowerCase();
}

/** What the byte that is not UTF-8 suggests, and the conversion to run. */
async function encodingHint(file: InputFile, offset: number): Promise<string> {
  const bytes = Buffer.alloc(2);
  const head = Buffer.alloc(2);
  const handle = await open(file.absolutePath, 'r');
  try {
    await handle.read(head, 0, 2, 0);
    await handle.read(bytes, 0, 2, offset);
  } finally {
    await handle.close();
  }
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const from = utf16 ? 'UTF-16' : 'WINDOWS-1252';
  const byte = `0x${(bytes[0] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
  const what = utf16 ? 'the file starts with a UTF-16 byte order mark' : `byte ${byte} at offset ${offset} is a Latin-1 / Windows-1252 character`;
  const converted = file.path.replace(/(\.[^./]+)?$/, '-utf8$1');
  return `${what}: convert the file to UTF-8 and ingest that, e.g. iconv -f ${from} -t UTF-8 '${file.path}' > '${converted}'.`;
}
