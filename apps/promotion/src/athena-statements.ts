import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { TransientStorageError } from '@ledgerlake/domain';
import type { AthenaStatements } from './gold-athena';

/** How long to wait between two looks at a running statement: from `firstMs`, doubling up to `maxMs`. */
export interface AthenaPolling {
  readonly firstMs: number;
  readonly maxMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_POLLING: AthenaPolling = { firstMs: 250, maxMs: 2_000 };

/**
 * `AthenaStatements` over the AWS SDK: each statement is started in the workgroup (which holds the
 * result location), polled until it ends, and its result rows read page by page. A statement that
 * FAILED or was CANCELLED is an error naming Athena's reason; a throttled or internal failure is
 * transient (the Task's retry runs the build again).
 */
export function athenaStatements(client: AthenaClient, workGroup: string, polling: AthenaPolling = DEFAULT_POLLING): AthenaStatements {
  const sleep = polling.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    async run(sql) {
      const started = await client.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: workGroup }));
      const id = started.QueryExecutionId;
      if (id === undefined) throw new Error('gold: Athena started a statement without an id');
      for (let wait = polling.firstMs; ; wait = Math.min(wait * 2, polling.maxMs)) {
        const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
        const state = execution?.Status?.State;
        if (state === 'SUCCEEDED') break;
        if (state === 'FAILED' || state === 'CANCELLED') {
          const reason = execution?.Status?.StateChangeReason ?? 'no reason given';
          const category = execution?.Status?.AthenaError?.ErrorCategory;
          // Category 1 is a system error, 3 unknown: worth another attempt; 2 (the statement) is not.
          const message = `gold: Athena statement ${id} ${state}: ${reason}`;
          throw category === 1 || category === 3 ? new TransientStorageError(message) : new Error(message);
        }
        await sleep(wait);
      }
      // Only a SELECT has rows to read (a DDL statement, CTAS and UNLOAD return none worth reading).
      if (!/^\s*SELECT\b/i.test(sql)) return [];
      const rows: (string | undefined)[][] = [];
      let token: string | undefined;
      let header = true;
      do {
        const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(token === undefined ? {} : { NextToken: token }) }));
        for (const row of page.ResultSet?.Rows ?? []) {
          // The first row of a SELECT's first page is its column names; DDL and UNLOAD return none.
          if (header) {
            header = false;
            continue;
          }
          rows.push((row.Data ?? []).map((datum) => datum.VarCharValue));
        }
        token = page.NextToken;
      } while (token !== undefined);
      return rows;
    },
  };
}
