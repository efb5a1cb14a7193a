import { InvalidEventError, LakeStateError } from '@ledgerlake/domain';
import type { CondemnCode } from '@ledgerlake/domain';
import { type EnrichmentResult, type LoopPreventionResult, type RunState, WorkPartSchema } from '@ledgerlake/contract';
import {
  assertBreakerClosed,
  claimFile,
  DEFAULT_CLAIM_TIMEOUT_MINUTES,
  discardSupersededOutput,
  loadQuarantineHashes,
  type LivenessProbe,
  readBronzeIgnore,
  type RunHolder,
  UNKNOWN_MONTH,
  writeCheckedVersions,
} from '@ledgerlake/ledgers';
import {
  readEnrichedPart,
  readMapItems,
  type RowDecision,
  tidyWorkArea,
  workPartRef,
  writeDecisions,
} from '@ledgerlake/work-area';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { approvedRowHashes } from './approved-rows';
import { FileKeyTable, keyOf, monthOf } from './business-keys';
import { markPublishedKeys } from './published-keys';

/** The little of a logger the core uses (Powertools' `Logger` fits). */
export interface CoreLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Tunables of loop prevention. */
export interface LoopPreventionSettings {
  /** A row with `attempt_count` at or above this is condemned `MAX_ATTEMPTS` (default 3). */
  readonly maxAttempts: number;
  /** A processed-file claim not renewed for this long is abandoned and may be taken over (default 30). */
  readonly claimTimeoutMinutes: number;
}

/** The contract's defaults. */
export const DEFAULT_LOOP_PREVENTION_SETTINGS: LoopPreventionSettings = { maxAttempts: 3, claimTimeoutMinutes: DEFAULT_CLAIM_TIMEOUT_MINUTES };

/** What loop prevention works with. */
export interface LoopPreventionDeps {
  readonly store: ObjectStore;
  readonly layout: LakeLayout;
  readonly settings?: Partial<LoopPreventionSettings>;
  /** The clock of the claim; default the system clock. */
  readonly now?: () => Date;
  /** Who the run's claim is held by; default its execution. */
  readonly holder?: RunHolder;
  /** Which earlier holders of the file's claim are dead (their claim is taken over at once). */
  readonly liveness?: LivenessProbe;
  readonly logger?: CoreLogger;
}

const ATTEMPTS_EXHAUSTED = 1;
const QUARANTINE_RESEND = 2;

/** Per-row findings of the streaming pass, kept compactly (a few bytes a row) until every part was read. */
class RowFindings {
  readonly slot: Int32Array;
  readonly flags: Uint8Array;
  readonly attempts: Uint8Array;
  constructor(rows: number) {
    this.slot = new Int32Array(rows).fill(-1);
    this.flags = new Uint8Array(rows);
    this.attempts = new Uint8Array(rows);
  }

  flag(row: number, bit: number): void {
    this.flags[row] = (this.flags[row] as number) | bit;
  }
}

function requireEnrichment(state: RunState): EnrichmentResult {
  if (state.enrichment === undefined) throw new InvalidEventError('PreventLoops', ['enrichment: the state has no enrichment result']);
  return state.enrichment;
}

/**
 * Loop prevention (docs/contract/rules.md, "Loop prevention"): refuses to start while the circuit breaker is open; claims
 * the file's content in the processed-file ledger (a content already processed, claimed by a
 * live run, or whose run ended BLOCKED or FAILED unless this run is a re-run of it, ends the run
 * as DUPLICATE_FILE); then condemns, per row, in this order of
 * precedence: `MAX_ATTEMPTS` (attempt_count at the limit), and `DUPLICATE_FAILURE` for a business
 * key already published in Silver, a key an earlier row of the file already had, or a fresh row
 * whose exact content already sits in quarantine. Writes one decisions file per work part.
 *
 * A backfill rebuilds its `backfill_month`: keys of that month are not checked against what is
 * published there (the run replaces it); other months are checked as usual. A retry run that
 * re-submits approved condemned rows (`approval_id`) lets exactly those rows past the attempt limit.
 */
export async function preventLoops(state: RunState, deps: LoopPreventionDeps): Promise<LoopPreventionResult> {
  const { store, layout, logger } = deps;
  const settings = { ...DEFAULT_LOOP_PREVENTION_SETTINGS, ...deps.settings };
  const enrichment = requireEnrichment(state);
  const { run } = state;

  await assertBreakerClosed(store, layout);

  // A Bronze object a person marked ignored runs for no trigger, sweep or request.
  const ignored = run.source.bucket === layout.buckets.bronze ? await readBronzeIgnore(store, layout, run.source.key) : undefined;
  if (ignored !== undefined) {
    logger?.warn('ignored Bronze object skipped', { bronze_key: ignored.bronze_key, ignored_by: ignored.by, ignored_at: ignored.at });
    await tidyWorkArea(store, layout, run.run_id, logger);
    return {
      status: 'DUPLICATE_FILE',
      ...(ignored.last_run_id === null ? {} : { duplicate_of: ignored.last_run_id }),
      duplicate_status: 'ignored',
      condemned_rows: 0,
      condemned_by_reason: {},
    };
  }

  const claim = await claimFile(store, layout, {
    contentSha256: enrichment.content_sha256,
    runId: run.run_id,
    executionArn: run.execution_arn,
    source: run.source,
    sourceFileId: enrichment.source_file_id,
    at: (deps.now ?? (() => new Date()))(),
    claimTimeoutMinutes: settings.claimTimeoutMinutes,
    holder: deps.holder ?? { execution_arn: run.execution_arn },
    ...(deps.liveness === undefined ? {} : { liveness: deps.liveness }),
    // Run again on request: a re-run (`rerun_of`), or a retry (a person re-submitted these rows;
    // the same rows at the same attempt again means the earlier retry did not publish).
    ...(run.rerun_of === undefined && run.mode !== 'retry' ? {} : { rerun: true }),
  });
  if (claim.status === 'duplicate') {
    logger?.warn('duplicate file skipped', {
      content_sha256: enrichment.content_sha256,
      duplicate_of: claim.duplicateOf,
      ledger_status: claim.entryStatus,
    });
    // The run ends here (Skipped): its enriched parts are no one's input.
    await tidyWorkArea(store, layout, run.run_id, logger);
    return {
      status: 'DUPLICATE_FILE',
      duplicate_of: claim.duplicateOf,
      duplicate_status: claim.entryStatus,
      condemned_rows: 0,
      condemned_by_reason: {},
    };
  }

  // The run taken over is superseded: its rejected rows go, this run decides every row again.
  if (claim.superseded !== undefined) {
    const removed = await discardSupersededOutput(store, layout, claim.superseded);
    logger?.info('superseded run output discarded', { superseded_run_id: claim.superseded.run_id, objects: removed });
  }
  // Quarantine output of this run and of earlier failed attempts at the same content is not history.
  const excludeRunIds = [run.run_id, ...claim.previousRunIds];
  const quarantined = await loadQuarantineHashes(store, layout, [], { excludeRunIds });
  const approved = run.approval_id === undefined ? undefined : await approvedRowHashes(store, layout, run.run_id, run.approval_id);
  const loadedMonths = new Set([UNKNOWN_MONTH]);
  const keys = new FileKeyTable(enrichment.input_rows);
  const findings = new RowFindings(enrichment.input_rows);
  const keyMonths = new Set<string>();
  const { work } = enrichment;
  const parts = await readMapItems(store, enrichment.part_manifest, WorkPartSchema, 'enriched part');
  if (parts.length !== enrichment.part_count) {
    throw new LakeStateError(`loop-prevention: the enriched part manifest lists ${parts.length} parts; enrichment reported ${enrichment.part_count}`);
  }

  let row = 0;
  for (const { part, rows: expected } of parts) {
    const partStart = row;
    const rows = await readEnrichedPart(store, workPartRef(work, 'enriched', part));
    if (row + rows.rows > enrichment.input_rows) {
      throw new LakeStateError(`loop-prevention: the work area holds more rows than the ${enrichment.input_rows} enrichment reported`);
    }
    for (let r = 0; r < rows.rows; r++) {
      const attempt = rows.attemptCount[r] as number;
      if (attempt >= settings.maxAttempts && approved?.has(rows.rowHash(r)) !== true) {
        findings.flag(row, ATTEMPTS_EXHAUSTED);
        findings.attempts[row] = Math.min(attempt, 255);
      }
      const parsed = rows.timestampParses(r);
      // A record with the wrong shape has no trustworthy key: validation rejects it.
      if (parsed && rows.idParses(r) && !rows.hasSchemaProblem(r)) {
        const key = keyOf(rows.id[r] as bigint, rows.txMicros[r] as bigint, rows.month[r] as number);
        findings.slot[row] = keys.register(key, row, rows.sourceLine[r] as number);
        keyMonths.add(key.month);
      }
      // A record the parser could not read is hashed over its bytes: comparable like any other.
      if (attempt === 0) {
        const month = parsed ? monthOf(rows.month[r] as number) : UNKNOWN_MONTH;
        if (!loadedMonths.has(month)) {
          // The first row of a month: load that month's quarantine history (only touched months are read).
          loadedMonths.add(month);
          for (const hash of await loadQuarantineHashes(store, layout, [month], { excludeRunIds })) quarantined.add(hash);
        }
        if (quarantined.has(rows.rowHash(r))) findings.flag(row, QUARANTINE_RESEND);
      }
      row++;
    }
    if (row - partStart !== expected) {
      throw new LakeStateError(`loop-prevention: work part ${part} holds ${row - partStart} rows; enrichment reported ${expected}`);
    }
  }
  if (row !== enrichment.input_rows) {
    throw new LakeStateError(`loop-prevention: the work area holds ${row} rows; enrichment reported ${enrichment.input_rows}`);
  }

  if (run.mode === 'backfill' && run.backfill_month !== undefined) keyMonths.delete(run.backfill_month);
  const published = await markPublishedKeys(store, layout, keyMonths, keys);
  // What promotion re-checks against at its commit: rows other runs publish meanwhile (docs/exactly-once.md).
  await writeCheckedVersions(store, layout, run.run_id, published.versions);

  const condemnedByReason: Partial<Record<CondemnCode, number>> = {};
  let condemned = 0;
  row = 0;
  for (const { part, rows } of parts) {
    const decisions: RowDecision[] = [];
    for (let index = 0; index < rows; index++, row++) {
      const decision = decide(row, findings, keys, settings.maxAttempts);
      if (decision === undefined) continue;
      decisions.push({ index, ...decision });
      condemnedByReason[decision.code] = (condemnedByReason[decision.code] ?? 0) + 1;
      condemned++;
    }
    await writeDecisions(store, workPartRef(work, 'loop-prevention', part), decisions);
  }

  logger?.info('loop prevention finished', {
    claim: claim.how,
    input_rows: enrichment.input_rows,
    distinct_keys: keys.size,
    quarantine_months_read: loadedMonths.size,
    quarantine_hashes: quarantined.size,
    published_partitions: published.partitions,
    published_files: published.files,
    published_rows_scanned: published.rows,
    condemned_rows: condemned,
    condemned_by_reason: condemnedByReason,
  });
  return { status: 'CONTINUE', condemned_rows: condemned, condemned_by_reason: condemnedByReason };
}

/** The verdict on one row, in precedence order; undefined when it carries on. */
function decide(
  row: number,
  findings: RowFindings,
  keys: FileKeyTable,
  maxAttempts: number,
): { code: CondemnCode; detail: string } | undefined {
  const flags = findings.flags[row] as number;
  if (flags & ATTEMPTS_EXHAUSTED) {
    const attempts = findings.attempts[row] as number;
    return {
      code: 'MAX_ATTEMPTS',
      detail: `attempt_count ${attempts === 255 ? '255 or more' : attempts} has reached the limit of ${maxAttempts} attempts`,
    };
  }
  const slot = findings.slot[row] as number;
  if (slot >= 0) {
    const publishedBy = keys.publishedBy(slot);
    if (publishedBy !== undefined) {
      return { code: 'DUPLICATE_FAILURE', detail: `${keys.describe(slot)} is already published (run ${publishedBy})` };
    }
    if (keys.firstRow(slot) !== row) {
      return {
        code: 'DUPLICATE_FAILURE',
        detail: `${keys.describe(slot)}: same key as line ${keys.firstLine(slot)} of this file (the first row with a key wins)`,
      };
    }
  }
  if (flags & QUARANTINE_RESEND) {
    return { code: 'DUPLICATE_FAILURE', detail: 'exact re-send of a row already in quarantine (same row_hash)' };
  }
  return undefined;
}
