import { GateCheckSchema } from '@ledgerlake/contract';
import { type LakeLayout, type ObjectRef, type ObjectStore, updateJson } from '@ledgerlake/storage';
import { z } from 'zod';
import { gatherRunReport, type ReportContext, type RunReport } from './facts';
import { type IndexEntry, renderRunIndex, renderRunReport } from './render';

/** The runs the index keeps (newest first). */
export const INDEX_RUNS = 500;
const HTML = { contentType: 'text/html; charset=utf-8' } as const;

const IndexEntrySchema = z.object({
  run_id: z.string(),
  status: z.enum(['PUBLISHED', 'BLOCKED', 'FAILED', 'INTERRUPTED', 'CHECKED', 'SKIPPED', 'INCOMPLETE']),
  started_at: z.string().nullable(),
  input_rows: z.number().nullable(),
  quarantined_rows: z.number().nullable(),
  duration_ms: z.number().nullable(),
});
/** The index's entries; an unreadable list starts over rather than failing the report. */
const RunIndexSchema = z.array(IndexEntrySchema).catch([]);

const SpanSchema = z.object({ name: z.string(), start_ms: z.number(), end_ms: z.number(), iterations: z.number().optional() });
const ReportDataSchema = z.object({
  timeline: z.array(SpanSchema),
  links: z.array(z.object({ label: z.string(), href: z.string() })),
  gate: z.object({ checks: z.array(GateCheckSchema).catch([]) }).optional(),
});

/** The timeline and links of the report written before, if any. */
async function readReportData(store: ObjectStore, layout: LakeLayout, runId: string): Promise<z.infer<typeof ReportDataSchema> | undefined> {
  const bytes = await store.getBytes(layout.artifacts.reportData(runId));
  if (bytes === undefined) return undefined;
  const parsed = ReportDataSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** What writing a run's report did. */
export interface WrittenReport {
  readonly report: ObjectRef;
  readonly index: ObjectRef;
  readonly bytes: number;
  readonly facts: RunReport;
}

/**
 * Writes `runs/<run_id>/report.html` (replacing an earlier one: `ledgerlake runs report` rebuilds it)
 * and updates the index: this run's entry in `runs/index.json` (compare-and-swap on its ETag, so two
 * runs ending together both stay listed), then `runs/index.html` from it.
 */
export async function writeRunReport(store: ObjectStore, layout: LakeLayout, runId: string, context: ReportContext): Promise<WrittenReport> {
  // A rebuild (`ledgerlake runs report`) knows neither the timeline nor the links: the report written at the run's end does.
  const earlier = context.timeline === undefined || context.links === undefined || context.gate_checks === undefined ? await readReportData(store, layout, runId) : undefined;
  const facts = await gatherRunReport(store, layout, runId, {
    ...context,
    ...(context.gate_checks === undefined && earlier?.gate !== undefined ? { gate_checks: earlier.gate.checks } : {}),
    ...(context.timeline === undefined && earlier !== undefined ? { timeline: earlier.timeline } : {}),
    ...(context.links === undefined && earlier !== undefined ? { links: earlier.links } : {}),
  });
  const page = renderRunReport(facts);
  const report = layout.artifacts.report(runId);
  await store.put(layout.artifacts.reportData(runId), `${JSON.stringify(facts)}\n`, { contentType: 'application/json' });
  await store.put(report, page, HTML);
  const index = layout.artifacts.reportIndex();
  const entry: IndexEntry = {
    run_id: runId,
    status: facts.status,
    started_at: facts.started_at,
    input_rows: facts.counts?.input_rows ?? null,
    quarantined_rows: facts.counts?.quarantined_rows ?? null,
    duration_ms: facts.duration_ms,
  };
  const entries = await updateJson(store, index.entries, RunIndexSchema, 'run index', (stored = []) => {
    const next = [entry, ...stored.filter((e) => e.run_id !== runId)]
      .sort((a, b) => (b.started_at ?? b.run_id).localeCompare(a.started_at ?? a.run_id))
      .slice(0, INDEX_RUNS);
    return { write: next, result: next };
  });
  await store.put(index.page, renderRunIndex(entries, context.where), HTML);
  return { report, index: index.page, bytes: Buffer.byteLength(page), facts };
}
