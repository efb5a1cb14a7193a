import { ObjectConflictError } from '@ledgerlake/domain';
import type { ObjectRef, ObjectStore } from '@ledgerlake/storage';
import { z } from 'zod';
import { AlertInProgressError } from './errors';

/*
 * One Slack message per incident, however often SQS delivers it: `alerts/posted/<incident-id>.json`
 * in the artifacts bucket records the incident's delivery.
 *
 * Claim, then post, then record — with a lease, so that neither a duplicate nor a lost alert is
 * the price of a crash:
 *   1. claim: create the record as `posting` (create-if-absent), its lease ending when this
 *      invocation must end. A record already `posted` → a duplicate: acknowledged without a post.
 *      A live `posting` claim → another delivery is posting right now: this one fails and comes
 *      back later (by then the record says `posted`, or the lease has run out). A `released`
 *      record or a run-out lease is taken over (replace-if-unchanged, so only one taker wins).
 *   2. post to Slack.
 *   3. record `posted` (replace-if-unchanged). If the post failed, mark the record `released` so
 *      the next delivery may post at once; if even that fails, the lease runs out by itself.
 * Post-then-record alone posts twice whenever two deliveries overlap; claim-then-post without a
 * lease loses the alert whenever the post fails after the claim. What remains: Slack took the
 * message but the function died before step 3 (or the answer was lost) — the next delivery after
 * the lease posts again. A rare duplicate is the right side to err on for a failure alert.
 */

/** How far a delivery got. */
export const PostedAlertStatusSchema = z.enum(['posting', 'posted', 'released']);

/** The record at `alerts/posted/<incident-id>.json`. */
export const PostedAlertSchema = z.object({
  incident_id: z.string().min(1),
  status: PostedAlertStatusSchema,
  kind: z.string().min(1),
  run_id: z.string().min(1).optional(),
  /** The SQS message that made the latest claim. */
  message_id: z.string().min(1),
  /** Deliveries that claimed it so far. */
  attempts: z.number().int().positive(),
  claimed_at: z.iso.datetime(),
  /** Until then a `posting` claim is someone's; after it, anyone may take it over. */
  lease_until: z.iso.datetime(),
  posted_at: z.iso.datetime().optional(),
  released_at: z.iso.datetime().optional(),
  /** Why the latest post failed (an error name). */
  last_error: z.string().optional(),
});
/** A posted-alert record. */
export type PostedAlert = z.infer<typeof PostedAlertSchema>;

/** What claiming an incident found. */
export type ClaimResult =
  | { readonly kind: 'claimed'; readonly etag: string; readonly record: PostedAlert }
  | { readonly kind: 'posted'; readonly record: PostedAlert };

/** Who claims, for how long. */
export interface ClaimRequest {
  readonly incidentId: string;
  readonly kind: string;
  readonly runId?: string;
  readonly messageId: string;
  readonly now: Date;
  /** How long the claim is this delivery's: the time its invocation has left. */
  readonly leaseMs: number;
}

const JSON_OPTIONS = { contentType: 'application/json' } as const;

function body(record: PostedAlert): string {
  return `${JSON.stringify(PostedAlertSchema.parse(record), null, 2)}\n`;
}

/**
 * Claims the incident for this delivery (see the module comment). Throws `AlertInProgressError`
 * when another delivery holds it or wins the race; storage errors pass through.
 */
export async function claimAlert(store: ObjectStore, ref: ObjectRef, request: ClaimRequest): Promise<ClaimResult> {
  const fresh = (attempts: number): PostedAlert => ({
    incident_id: request.incidentId,
    status: 'posting',
    kind: request.kind,
    ...(request.runId === undefined ? {} : { run_id: request.runId }),
    message_id: request.messageId,
    attempts,
    claimed_at: request.now.toISOString(),
    lease_until: new Date(request.now.getTime() + Math.max(0, request.leaseMs)).toISOString(),
  });
  try {
    const first = fresh(1);
    const { etag } = await store.putIfAbsent(ref, body(first), JSON_OPTIONS);
    return { kind: 'claimed', etag, record: first };
  } catch (error) {
    if (!(error instanceof ObjectConflictError) || error.reason !== 'exists') throw error;
  }

  // Read the etag before the body: if the object changes in between, the replace below loses.
  const meta = await store.head(ref);
  const bytes = await store.getBytes(ref);
  if (meta === undefined || bytes === undefined) {
    throw new AlertInProgressError(`alert-consumer: the record of incident ${request.incidentId} changed while it was read`);
  }
  const existing = parseRecord(bytes);
  if (existing?.status === 'posted') return { kind: 'posted', record: existing };
  if (existing?.status === 'posting' && Date.parse(existing.lease_until) > request.now.getTime()) {
    throw new AlertInProgressError(
      `alert-consumer: incident ${request.incidentId} is being posted by message ${existing.message_id} until ${existing.lease_until}`,
    );
  }
  const taken = fresh((existing?.attempts ?? 0) + 1);
  try {
    const { etag } = await store.putIfMatch(ref, body(taken), meta.etag, JSON_OPTIONS);
    return { kind: 'claimed', etag, record: taken };
  } catch (error) {
    if (error instanceof ObjectConflictError) {
      throw new AlertInProgressError(`alert-consumer: another delivery took incident ${request.incidentId} first`);
    }
    throw error;
  }
}

/** Records the claimed incident as posted. False when the claim was lost meanwhile (its lease ran out and someone took it). */
export async function markPosted(store: ObjectStore, ref: ObjectRef, claim: Extract<ClaimResult, { kind: 'claimed' }>, now: Date): Promise<boolean> {
  return replaceIfUnchanged(store, ref, claim.etag, { ...claim.record, status: 'posted', posted_at: now.toISOString() });
}

/** Gives the claim up after a failed post, so the next delivery may post at once. False when the claim was lost meanwhile. */
export async function releaseAlert(
  store: ObjectStore,
  ref: ObjectRef,
  claim: Extract<ClaimResult, { kind: 'claimed' }>,
  now: Date,
  lastError: string,
): Promise<boolean> {
  return replaceIfUnchanged(store, ref, claim.etag, { ...claim.record, status: 'released', released_at: now.toISOString(), last_error: lastError });
}

/** Reads an incident's record; `undefined` when there is none (or it is not one). */
export async function readPostedAlert(store: ObjectStore, ref: ObjectRef): Promise<PostedAlert | undefined> {
  const bytes = await store.getBytes(ref);
  return bytes === undefined ? undefined : parseRecord(bytes);
}

async function replaceIfUnchanged(store: ObjectStore, ref: ObjectRef, etag: string, record: PostedAlert): Promise<boolean> {
  try {
    await store.putIfMatch(ref, body(record), etag, JSON_OPTIONS);
    return true;
  } catch (error) {
    if (error instanceof ObjectConflictError) return false;
    throw error;
  }
}

/** A record that is not one (hand-edited, truncated) counts as released: it cannot say the alert went out. */
function parseRecord(bytes: Uint8Array): PostedAlert | undefined {
  try {
    const parsed = PostedAlertSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
