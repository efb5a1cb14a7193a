/**
 * The row validation of docs/contract/rules.md, "Validation", as one pure function. Checks run in contract order and the
 * first failing one names the row's `validation_error`; `detail` says which field, which value
 * and what was expected, for the data-quality team.
 *
 * Within a code, fields are checked in role order (dataset-spec.ts): `TYPE_ERROR` covers the id, then
 * the account (account-id.ts), then the amount; `TIMESTAMP_ERROR` a timestamp that does not
 * parse, then one outside the run's plausibility window (tx-date-window.ts). Details name each
 * field by its dataset's input column (`TransactionID` for `mortgages/transactions`).
 */
import { accountIdProblem } from './account-id';
import { COLUMN_ROLES, type CompleteRowFields } from './dataset-spec';
import type { ValidationErrorCode } from './error-codes';
import { type Int64ParseResult, parseInt64 } from './int64';
import { type AmountParseResult, parseAmount } from './money';
import type { RowRules } from './row-rules';
import { parseTimestamp } from './timestamp';
import { inTxDateWindow } from './tx-date-window';

/** A valid row's typed values. */
export interface ValidRow {
  ok: true;
  id: bigint;
  amountMinor: bigint;
  /** The timestamp as microseconds since the epoch (UTC). */
  txMicros: bigint;
  /** UTC year of the transaction (partition `year`). */
  year: number;
  /** UTC month of the transaction, 1-12 (partition `month`). */
  month: number;
}

/** A rejected row: the first failing check's code and a human-readable detail. */
export interface InvalidRow {
  ok: false;
  code: ValidationErrorCode;
  detail: string;
}

/**
 * A row's typed fields as they were already parsed once (the enriched work part carries them):
 * each one's value, or undefined where its text does not parse — the text is then parsed again
 * only to say why.
 */
export interface ParsedFields {
  readonly id: bigint | undefined;
  readonly amountMinor: bigint | undefined;
  /** The UTC instant and its year and month (1-12). */
  readonly at: { readonly epochMicros: bigint; readonly year: number; readonly month: number } | undefined;
}

/** Result of `validateRow`. */
export type RowValidation = ValidRow | InvalidRow;

/** Quoted values in details are cut to this many characters. */
const MAX_QUOTED = 60;
/** An allowlist up to this size is spelled out in a CURRENCY_ERROR detail. */
const MAX_LISTED_CURRENCIES = 12;

/**
 * Validates one row.
 *
 * @param fields the five values by role, already trimmed.
 * @param rules the run's compiled rules (`rowRules(settings, run.started_at, dataset)`), its dataset's column names with them.
 * @param schemaProblem set by the reader when the CSV record is malformed (wrong number of
 *   fields, broken quoting), e.g. `record has 4 fields; the header has 5`: the row is then a
 *   SCHEMA_ERROR with this detail, whatever `fields` hold.
 * @param parsed the typed fields, when they were parsed before: none of them is parsed again.
 */
export function validateRow(
  fields: CompleteRowFields,
  rules: RowRules,
  schemaProblem?: string,
  parsed?: ParsedFields,
): RowValidation {
  if (schemaProblem !== undefined) return invalid('SCHEMA_ERROR', schemaProblem);
  const { id: idText, account: accountText, amount: amountText, currency, timestamp: timestampText } = fields;
  const names = rules.columns;

  if (idText === '' || accountText === '' || amountText === '' || currency === '' || timestampText === '') {
    const empty = COLUMN_ROLES.filter((role) => fields[role] === '').map((role) => names[role].input);
    return invalid('NULL_VALUE_ERROR', `required field(s) empty: ${empty.join(', ')}`);
  }

  const id = parsed === undefined ? parseInt64(idText) : known(parsed.id, () => parseInt64(idText));
  if (!id.ok) return invalid('TYPE_ERROR', describe(names.id.input, idText, id.problem));
  const accountProblem = accountIdProblem(accountText, rules.accountId);
  if (accountProblem !== undefined) return invalid('TYPE_ERROR', describe(names.account.input, accountText, accountProblem));
  const amount = parsed === undefined ? parseAmount(amountText) : knownAmount(parsed.amountMinor, () => parseAmount(amountText));
  if (!amount.ok) return invalid('TYPE_ERROR', describe(names.amount.input, amountText, amount.problem));

  if (!rules.currencies.has(currency)) {
    return invalid('CURRENCY_ERROR', describe(names.currency.input, currency, currencyProblem(currency, rules.currencies)));
  }

  const at = parsed?.at ?? parseTimestamp(timestampText);
  if ('problem' in at) return invalid('TIMESTAMP_ERROR', describe(names.timestamp.input, timestampText, at.problem));
  if (!inTxDateWindow(at.epochMicros, rules.txDate)) {
    return invalid('TIMESTAMP_ERROR', describe(names.timestamp.input, timestampText, rules.txDate.problem));
  }

  return {
    ok: true,
    id: id.value,
    amountMinor: amount.minor,
    txMicros: at.epochMicros,
    year: at.year,
    month: at.month,
  };
}

/** An id parsed before, or (where it did not parse) the parser's answer with its reason. */
function known(value: bigint | undefined, reparse: () => Int64ParseResult): Int64ParseResult {
  return value === undefined ? reparse() : { ok: true, value };
}

/** An amount parsed before, or (where it did not parse) the parser's answer with its reason. */
function knownAmount(minor: bigint | undefined, reparse: () => AmountParseResult): AmountParseResult {
  return minor === undefined ? reparse() : { ok: true, minor };
}

/**
 * Quotes a value for a detail, cut to 60 characters: `"12.345"`, `"aaaa…" (250 chars)`. Every
 * invisible character is escaped (`\n`, `\u0000`, `\u200b`, `\u202e`): a detail is read by
 * people, in terminals and chat, where such a character would hide or reorder what they see.
 */
export function quoteValue(value: string): string {
  if (value.length <= MAX_QUOTED) return escapeInvisible(JSON.stringify(value));
  return `${escapeInvisible(JSON.stringify(`${value.slice(0, MAX_QUOTED)}…`))} (${value.length} chars)`;
}

/** What JSON.stringify leaves as it is but a person cannot see: C1 controls, DEL, format characters, separators but the space. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Zl}\p{Zp}]|(?! )\p{Zs}/gu;

/**
 * A value as people may safely see it in a terminal or chat, unquoted: CR, LF and tab as `\r`,
 * `\n`, `\t`, every other invisible character (ESC, NUL, bidi overrides, zero-width spaces…) as
 * `\uXXXX`, so a stored value can neither move the cursor, recolour the screen nor reorder text.
 */
export function visibleText(value: string): string {
  return escapeInvisible(value.replaceAll('\r', '\\r').replaceAll('\n', '\\n').replaceAll('\t', '\\t'));
}

function escapeInvisible(quoted: string): string {
  return quoted.replace(INVISIBLE, (character) => {
    const code = character.codePointAt(0) as number;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function invalid(code: ValidationErrorCode, detail: string): InvalidRow {
  return { ok: false, code, detail };
}

function describe(column: string, value: string, problem: string): string {
  return `${column} ${quoteValue(value)}: ${problem}`;
}

function currencyProblem(currency: string, currencies: ReadonlySet<string>): string {
  const upper = currency.toUpperCase();
  const allowed =
    currencies.size <= MAX_LISTED_CURRENCIES
      ? `the allowlist (${[...currencies].join(', ')})`
      : `the allowlist of ${currencies.size} codes`;
  const hint = upper !== currency && currencies.has(upper) ? `; codes are case-sensitive, did you mean "${upper}"?` : '';
  return `is not in ${allowed}${hint}`;
}
