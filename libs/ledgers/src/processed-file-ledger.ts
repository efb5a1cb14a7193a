import { LakeStateError, ObjectConflictError, type SourceObject, SourceObjectSchema } from '@ledgerlake/domain';
import type { LakeLayout, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { JSON_PUT_OPTIONS, type JsonDecision, jsonBody, readVersionedJson, updateJson } from '@ledgerlake/storage';
import { type LivenessProbe, type RunHolder, RunHolderSchema } from './promotion-intent';
import type { DuplicateStatus } from '@ledgerlake/contract';

/*
 * The processed-file ledger (docs/contract/rules.md, "File-level duplicates"): `ledger/processed-files/<content_sha256>.json`,
 * one entry per distinct Bronze content, so the same bytes are never processed twice, whatever
 * key or bucket they arrive under.
 *
 * Life of an entry:
 *   claimed   — written by loop prevention with create-if-absent: of two concurrent runs of the
 *               same content exactly one creates it and proceeds; the other sees the claim and
 *               ends as DUPLICATE_FILE.
 *   processed — set by promotion once the run is published (`markFileProcessed`): final.
 *   released  — set by the failure path (`releaseFileClaim`) when the claiming run failed, was
 *               blocked or was interrupted, with that outcome (`released_outcome`).
 *
 * Re-drive rule: a claim blocks other runs while it is live. It stops blocking when
 *   - it is `released` by a run that was interrupted (a person stopped it: the content was never
 *     decided), or by a run that FAILED or was BLOCKED and this run is an explicit re-run
 *     (`rerun`: `ledgerlake runs rerun`, `ingest --force`): a content whose run ended BLOCKED or
 *     FAILED has been dealt with, and triggers and sweeps that see it again end as a no-op
 *     (entries released before the outcome was recorded count as interrupted), or
 *   - its holder is known dead (on a laptop: the process that claimed it is gone), or
 *   - it was last renewed (`renewed_at`, else `claimed_at`) more than `claimTimeoutMinutes` ago
 *     (default 30): a live run renews its claim as it writes its parts (`renewFileClaim`), so a
 *     claim that stops being renewed belongs to a run that died without reaching the failure path;
 *   - the claiming run itself comes back (same run_id: a Step Functions retry or re-drive).
 * Never while the claiming run has a pending promotion (`control/promotions/<run_id>.json`): some
 * of its rows may be published, so the content is its own until the promotion is rolled forward —
 * a re-run never condemns a file's own published rows as duplicates (docs/exactly-once.md).
 * Taking a claim over is a conditional replace (If-Match on the ETag read), so two re-drives
 * cannot both win; the earlier claims are kept in `previous` for the audit trail. A `processed`
 * entry never stops blocking.
 */

/** An earlier claim of the same content that was released or abandoned. */
export const PreviousClaimSchema = z.object({
  run_id: z.string().min(1),
  claimed_at: z.iso.datetime(),
  status: z.enum(['released', 'abandoned']),
  ended_at: z.iso.datetime(),
  reason: z.string().optional(),
});

/** How the run that released a claim ended. */
export const ReleasedOutcomeSchema = z.enum(['FAILED', 'BLOCKED', 'INTERRUPTED', 'CHECKED']);
/** How the run that released a claim ended. */
export type ReleasedOutcome = z.infer<typeof ReleasedOutcomeSchema>;

/** One processed-file ledger entry. */
export const LedgerEntrySchema = z.object({
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  run_id: z.string().min(1),
  execution_arn: z.string().min(1).optional(),
  source: SourceObjectSchema,
  source_file_id: z.string().min(1).optional(),
  /** Who holds the claim (how a dead holder is recognised). */
  holder: RunHolderSchema.optional(),
  status: z.enum(['claimed', 'processed', 'released']),
  claimed_at: z.iso.datetime(),
  /** The last time the claiming run said it was alive (the lease runs from here). */
  renewed_at: z.iso.datetime().optional(),
  processed_at: z.iso.datetime().optional(),
  released_at: z.iso.datetime().optional(),
  release_reason: z.string().optional(),
  /** With `released`: how the run ended (absent in entries written before it was recorded). */
  released_outcome: ReleasedOutcomeSchema.optional(),
  previous: z.array(PreviousClaimSchema),
});
/** One processed-file ledger entry. */
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** What a run claims. */
export interface FileClaimRequest {
  readonly contentSha256: string;
  readonly runId: string;
  readonly executionArn?: string;
  readonly source: SourceObject;
  readonly sourceFileId?: string;
  /** Now. */
  readonly at: Date;
  /** A claim older than this is abandoned (default 1440 = 24 h). */
  readonly claimTimeoutMinutes?: number;
  /** Who claims (recorded in the entry). */
  readonly holder?: RunHolder;
  /** Tells whether an earlier claim's holder is dead; default none is known dead. */
  readonly liveness?: LivenessProbe;
  /** An explicit re-run asked for by a person: it may take over a claim released by a FAILED or BLOCKED run. */
  readonly rerun?: boolean;
}

/** The outcome of a claim: this run owns the content now, or another run has (or had) it. */
export type FileClaimOutcome =
  | {
      readonly status: 'claimed';
      /** How: a new entry, this run's own claim again, or another run's released/abandoned claim taken over. */
      readonly how: 'new' | 'own' | 'taken-over';
      /** Runs whose claims of this content were released or abandoned (their quarantine output is not a re-send). */
      readonly previousRunIds: readonly string[];
      /** With `taken-over`: the run whose claim this one took (its rejected rows are superseded). */
      readonly superseded?: { readonly run_id: string; readonly claimed_at: string };
    }
  | {
      readonly status: 'duplicate';
      /** The run that holds the content. */
      readonly duplicateOf: string;
      /**
       * `processed`: it was published; `claimed`: a live claim (a run in progress); `promoting`: its
       * promotion is pending; `blocked` / `failed`: its run ended so, and only a re-run takes it again.
       */
      readonly entryStatus: DuplicateStatus;
    };


/**
 * How a content's earlier run ended when a trigger or sweep must not run it again unasked:
 * `blocked` / `failed` for a claim released by a BLOCKED or FAILED run, else `undefined`.
 */
export function settledOutcome(entry: Pick<LedgerEntry, 'status' | 'released_outcome'>): 'blocked' | 'failed' | undefined {
  if (entry.status !== 'released') return undefined;
  if (entry.released_outcome === 'BLOCKED') return 'blocked';
  return entry.released_outcome === 'FAILED' ? 'failed' : undefined;
}

/**
 * The claim timeout used when none is given: 30 minutes, twice the longest any one Task may run
 * (Lambda's 15 minutes) — the longest a live run goes without renewing its claim.
 */
export const DEFAULT_CLAIM_TIMEOUT_MINUTES = 30;

/** A claim is renewed when its last renewal is older than this (most calls then only read it). */
export const CLAIM_RENEWAL_MINUTES = 2;
const LEDGER_ENTRY = 'ledger entry';

async function readEntry(store: ObjectStore, layout: LakeLayout, sha: string) {
  return readVersionedJson(store, layout.control.processedFile(sha), LedgerEntrySchema, LEDGER_ENTRY);
}

/**
 * Why a `claimed` entry is no longer held, or `undefined` while it is: its lease ran out (no
 * renewal for `timeoutMinutes`) or its holder is known dead.
 */
export async function claimLapse(
  entry: Pick<LedgerEntry, 'claimed_at' | 'renewed_at' | 'holder'>,
  at: Date,
  timeoutMinutes: number,
  liveness: LivenessProbe | undefined,
): Promise<string | undefined> {
  if (at.getTime() - Date.parse(entry.renewed_at ?? entry.claimed_at) > timeoutMinutes * 60_000) return `no word from it for ${timeoutMinutes} minutes`;
  if (entry.holder !== undefined && (await liveness?.isDead(entry.holder)) === true) return 'its holder is gone';
  return undefined;
}

/**
 * Claims a Bronze content for a run (see the module comment for the rule). Safe under
 * concurrency: every write is create-if-absent or replace-if-unchanged, retried on a lost race.
 */
export async function claimFile(store: ObjectStore, layout: LakeLayout, request: FileClaimRequest): Promise<FileClaimOutcome> {
  const ref = layout.control.processedFile(request.contentSha256);
  const timeoutMinutes = request.claimTimeoutMinutes ?? DEFAULT_CLAIM_TIMEOUT_MINUTES;
  const now = request.at.toISOString();
  const fresh = (previous: LedgerEntry['previous']): LedgerEntry => ({
    content_sha256: request.contentSha256,
    run_id: request.runId,
    ...(request.executionArn === undefined ? {} : { execution_arn: request.executionArn }),
    source: request.source,
    ...(request.sourceFileId === undefined ? {} : { source_file_id: request.sourceFileId }),
    ...(request.holder === undefined ? {} : { holder: request.holder }),
    status: 'claimed',
    claimed_at: now,
    previous,
  });

  // A lost race (another run created or replaced the entry) reads again and decides again.
  return updateJson(store, ref, LedgerEntrySchema, LEDGER_ENTRY, async (entry): Promise<JsonDecision<LedgerEntry, FileClaimOutcome>> => {
    if (entry === undefined) return { write: fresh([]), result: { status: 'claimed', how: 'new', previousRunIds: [] } };
    const previousRunIds = entry.previous.map((claim) => claim.run_id);
    let abandonReason: string | undefined;
    if (entry.status === 'processed') {
      return { result: { status: 'duplicate', duplicateOf: entry.run_id, entryStatus: 'processed' } };
    }
    if (entry.run_id === request.runId && entry.status === 'claimed') {
      return { result: { status: 'claimed', how: 'own', previousRunIds } };
    }
    const settled = settledOutcome(entry);
    if (settled !== undefined && entry.run_id !== request.runId && request.rerun !== true) {
      return { result: { status: 'duplicate', duplicateOf: entry.run_id, entryStatus: settled } };
    }
    if (entry.status === 'claimed') {
      // A run whose promotion began owns the content until that promotion is completed.
      if ((await store.head(layout.control.promotionIntent(entry.run_id))) !== undefined) {
        return { result: { status: 'duplicate', duplicateOf: entry.run_id, entryStatus: 'promoting' } };
      }
      abandonReason = await claimLapse(entry, request.at, timeoutMinutes, request.liveness);
      if (abandonReason === undefined) return { result: { status: 'duplicate', duplicateOf: entry.run_id, entryStatus: 'claimed' } };
    }
    // Released, or abandoned: take it over, keeping the earlier claim for the record.
    const ended: LedgerEntry['previous'][number] = {
      run_id: entry.run_id,
      claimed_at: entry.claimed_at,
      status: entry.status === 'released' ? 'released' : 'abandoned',
      ended_at: entry.released_at ?? now,
      ...(entry.release_reason === undefined ? {} : { reason: entry.release_reason }),
      ...(abandonReason === undefined ? {} : { reason: abandonReason }),
    };
    const previous = [...entry.previous, ended];
    return {
      write: fresh(previous),
      result: {
        status: 'claimed',
        how: 'taken-over',
        ...(entry.run_id === request.runId ? {} : { superseded: { run_id: entry.run_id, claimed_at: entry.claimed_at } }),
        previousRunIds: [...new Set(previous.map((claim) => claim.run_id))].filter((id) => id !== request.runId),
      },
    };
  });
}

/**
 * Marks a content as processed by `runId` (promotion calls it once the run is published):
 * from then on every run of the same content is a DUPLICATE_FILE. Idempotent. Throws when the
 * entry is missing or belongs to another run, or was released (a failed run cannot publish).
 */
export async function markFileProcessed(
  store: ObjectStore,
  layout: LakeLayout,
  sha: string,
  runId: string,
  at: Date = new Date(),
): Promise<LedgerEntry> {
  const ref = layout.control.processedFile(sha);
  return updateJson(store, ref, LedgerEntrySchema, LEDGER_ENTRY, (entry) => {
    if (entry === undefined) throw new LakeStateError(`ledger: ${ref.key} does not exist; run ${runId} never claimed the file`);
    if (entry.run_id !== runId) {
      throw new LakeStateError(`ledger: ${ref.key} is held by run ${entry.run_id}, not ${runId}`);
    }
    if (entry.status === 'processed') return { result: entry };
    if (entry.status === 'released') throw new LakeStateError(`ledger: run ${runId} released ${ref.key}; it cannot be marked processed`);
    const next: LedgerEntry = { ...entry, status: 'processed', processed_at: at.toISOString() };
    return { write: next, result: next };
  });
}

/** Options of `releaseFileClaim`. */
export interface ReleaseOptions {
  /** How the run ended: a FAILED or BLOCKED content is run again only on request. */
  readonly outcome: ReleasedOutcome;
  /** Why, e.g. the run's error name. */
  readonly reason?: string;
  readonly at?: Date;
}

/**
 * Releases `runId`'s claim on a content (the failure path calls it) so that a re-drive can
 * claim it. Returns whether a claim was released: a missing entry, another run's entry, or one
 * already processed or released is left as it is (a published content stays blocked).
 */
export async function releaseFileClaim(
  store: ObjectStore,
  layout: LakeLayout,
  sha: string,
  runId: string,
  options: ReleaseOptions,
): Promise<boolean> {
  return updateJson(store, layout.control.processedFile(sha), LedgerEntrySchema, LEDGER_ENTRY, (entry) => {
    if (entry === undefined || entry.run_id !== runId || entry.status !== 'claimed') return { result: false };
    const next: LedgerEntry = {
      ...entry,
      status: 'released',
      released_at: (options.at ?? new Date()).toISOString(),
      released_outcome: options.outcome,
      ...(options.reason === undefined ? {} : { release_reason: options.reason }),
    };
    return { write: next, result: true };
  });
}

/** Reads a content's ledger entry, if any. */
export async function readLedgerEntry(store: ObjectStore, layout: LakeLayout, sha: string): Promise<LedgerEntry | undefined> {
  return (await readEntry(store, layout, sha))?.value;
}

/**
 * Renews `runId`'s claim on a content (its lease, see the module comment) when its last renewal
 * is older than `CLAIM_RENEWAL_MINUTES`; returns whether the run still holds the claim. A lost race
 * (another renewal of the same run, from a parallel part) is as good as a renewal.
 */
export async function renewFileClaim(store: ObjectStore, layout: LakeLayout, sha: string, runId: string, at: Date): Promise<boolean> {
  const current = await readEntry(store, layout, sha);
  if (current === undefined) return false;
  const entry = current.value;
  if (entry.run_id !== runId) return false;
  if (entry.status !== 'claimed') return entry.status === 'processed';
  if (at.getTime() - Date.parse(entry.renewed_at ?? entry.claimed_at) < CLAIM_RENEWAL_MINUTES * 60_000) return true;
  try {
    await store.putIfMatch(layout.control.processedFile(sha), jsonBody({ ...entry, renewed_at: at.toISOString() }), current.etag, JSON_PUT_OPTIONS);
  } catch (error) {
    if (!(error instanceof ObjectConflictError)) throw error;
  }
  return true;
}
