import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { InternalError, TransientStorageError } from '@ledgerlake/domain';
import type { AthenaStatements } from './gold-athena';

/** How long to wait between two looks at a running statement: from `firstMs`, doubling up to `maxMs`. */
export interface AthenaPolling {
  readonly firstMs: number;
  readonly maxMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_POLLING: AthenaPolling = { firstMs: 250, maxMs: 2_000 };

/** A statement Athena ended FAILED or CANCELLED: its reason, error category and what it had scanned. */
export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError' as const;
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    readonly reason: string,
    /** Athena's category: 1 system, 2 the statement, 3 unknown. */
    readonly category: number | undefined,
    /** Athena's error type (e.g. 1004 for a workgroup's scan limit), when it gives one. */
    readonly errorType: number | undefined,
    readonly scannedBytes: number,
  ) {
    super(`Athena statement ${queryExecutionId} ${state}: ${reason}`);
  }
}

/** What a statement ended with. */
export interface AthenaQueryResult {
  readonly queryExecutionId: string;
  /** Bytes the statement scanned (what the workgroup's per-query cut-off counts). */
  readonly scannedBytes: number;
  /** The result's columns as Athena types them (`decimal` with its precision and scale). */
  readonly columns: readonly ColumnInfo[];
}

/** How `athenaQuery` runs one statement. */
export interface AthenaQueryOptions {
  /** Values of the statement's positional `?` parameters, as SQL literals (`'2024-01'`). */
  readonly parameters?: readonly string[];
  readonly polling?: AthenaPolling;
  /** Told each page of result rows (the header row left out) as it is read: results are never held whole. */
  readonly onRows?: (rows: readonly (readonly (string | undefined)[])[], columns: readonly ColumnInfo[]) => void | Promise<void>;
  /** Whether the statement has result rows to read (a SELECT, WITH … SELECT, SHOW, DESCRIBE); default: read them. */
  readonly readRows?: boolean;
}

/**
 * Runs one statement in the workgroup (which holds the result location and the scan cut-off),
 * polls it until it ends and streams its result rows page by page. FAILED or CANCELLED is an
 * `AthenaQueryError`.
 */
export async function athenaQuery(client: AthenaClient, workGroup: string, sql: string, options: AthenaQueryOptions = {}): Promise<AthenaQueryResult> {
  const polling = options.polling ?? DEFAULT_POLLING;
  const sleep = polling.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: workGroup,
      ...(options.parameters === undefined || options.parameters.length === 0 ? {} : { ExecutionParameters: [...options.parameters] }),
    }),
  );
  const id = started.QueryExecutionId;
  if (id === undefined) throw new InternalError('Athena started a statement without an id');
  let scannedBytes = 0;
  for (let wait = polling.firstMs; ; wait = Math.min(wait * 2, polling.maxMs)) {
    const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = execution?.Status?.State;
    scannedBytes = execution?.Statistics?.DataScannedInBytes ?? scannedBytes;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const error = execution?.Status?.AthenaError;
      throw new AthenaQueryError(id, state, execution?.Status?.StateChangeReason ?? 'no reason given', error?.ErrorCategory, error?.ErrorType, scannedBytes);
    }
    await sleep(wait);
  }
  let columns: readonly ColumnInfo[] = [];
  if (options.readRows !== false) {
    let token: string | undefined;
    let header = true;
    do {
      const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(token === undefined ? {} : { NextToken: token }) }));
      columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? columns;
      const rows: (string | undefined)[][] = [];
      for (const row of page.ResultSet?.Rows ?? []) {
        // The first row of a SELECT's first page is its column names.
        if (header) {
          header = false;
          continue;
        }
        rows.push((row.Data ?? []).map((datum) => datum.VarCharValue));
      }
      await options.onRows?.(rows, columns);
      token = page.NextToken;
    } while (token !== undefined);
  }
  return { queryExecutionId: id, scannedBytes, columns };
}

/**
 * `AthenaStatements` over the AWS SDK (`athenaQuery`). A statement that FAILED or was CANCELLED
 * is an error naming Athena's reason; a throttled or internal failure is transient (the Task's
 * retry runs the build again).
 */
export function athenaStatements(client: AthenaClient, workGroup: string, polling: AthenaPolling = DEFAULT_POLLING): AthenaStatements {
  return {
    async run(sql) {
      const rows: (readonly (string | undefined)[])[] = [];
      try {
        // Only a SELECT has rows to read (a DDL statement, CTAS and UNLOAD return none worth reading).
        await athenaQuery(client, workGroup, sql, { polling, readRows: /^\s*SELECT\b/i.test(sql), onRows: (page) => void rows.push(...page) });
      } catch (error) {
        if (!(error instanceof AthenaQueryError)) throw error;
        // Category 1 is a system error, 3 unknown: worth another attempt; 2 (the statement) is not.
        const message = `gold: ${error.message}`;
        throw error.category === 1 || error.category === 3 ? new TransientStorageError(message) : new Error(message);
      }
      return rows;
    },
  };
}
