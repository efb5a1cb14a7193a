import type { RunBlockedEvent } from '@ledgerlake/domain';
import { type CatalogPartition, CatalogPartitionSchema, monthName, type PartitionCatalog } from '@ledgerlake/pipeline';
import type { RunState } from '@ledgerlake/pipeline';
import { AthenaGoldEngine, type GateThresholds, parseRate, type PromotionStepDeps, runPromotionStep } from '@ledgerlake/promotion';
import { AthenaOnDuckDb } from '@ledgerlake/testing';
import type { LakeLayout, ObjectStore, PublishedTableName, YearMonth } from '@ledgerlake/storage';

/*
 * The promotion function's Tasks as the state machine sends them (EvaluateGate, then Promote and
 * RefreshGold, or RecordBlocked), on the recorded store. In the cloud the catalog is Glue and the
 * blocked-run event goes to SNS: neither is an S3 access, so they are recorded in memory here —
 * the lake's own catalog (`catalog/` in the artifacts bucket) is the local stand-in and must not
 * show up among the keys promotion's role is granted. Gold is built as in the cloud, by the Athena
 * engine: its statements run by DuckDB standing in for Athena, whose reads and writes of the lake
 * are made with the function's role and recorded as promotion's.
 */

/**
 * The gate of the recorded runs. The fixture files hold a handful of rows, so one bad row is a
 * quarantine rate of 25 % or more: the limit is set where those runs pass and a run with half its
 * rows quarantined is blocked. The thresholds decide the verdict, not which keys are touched.
 */
export const RECORDING_GATE: GateThresholds = { maxQuarantineRate: parseRate('0.5'), maxCondemnedRows: 100 };

/** A catalog of published partitions in memory: what Glue holds in the cloud, with the same forward-only rule. */
export class MemoryPartitionCatalog implements PartitionCatalog {
  readonly partitions = new Map<string, CatalogPartition>();

  registerPartition(entry: CatalogPartition): Promise<void> {
    const valid = CatalogPartitionSchema.parse(entry);
    const key = `${valid.table}/${valid.partition}`;
    const registered = this.partitions.get(key);
    if (registered === undefined || registered.version < valid.version) this.partitions.set(key, valid);
    return Promise.resolve();
  }

  registeredVersion(table: PublishedTableName, month: YearMonth): Promise<number | undefined> {
    return Promise.resolve(this.partitions.get(`${table}/${monthName(month)}`)?.version);
  }
}

/** The promotion Tasks of one stage's lake, recorded as `promotion`. */
export interface PromotionTasks {
  /** EvaluateGate (must say PROMOTE), Promote, RefreshGold; returns the months promoted. */
  promote(state: RunState): Promise<string[]>;
  /** Promote again, as a retry after a timeout would: everything is found done, nothing is committed twice. */
  repromote(state: RunState): Promise<void>;
  /** EvaluateGate (must say BLOCKED), then RecordBlocked. */
  block(state: RunState): Promise<void>;
  /** EvaluateGate and Promote only: the run is left PROMOTING (its intent written, its months committed). */
  beginOnly(state: RunState): Promise<void>;
  /** RollForward: completes the run's promotion from its intent (or finds it complete, or never begun). */
  rollForward(state: RunState): Promise<string>;
  /** RecoverPromotions at the start of `state`'s run: completes every pending promotion (all holders dead here). */
  recover(state: RunState): Promise<number>;
  /** The catalog the promotions registered in. */
  readonly catalog: MemoryPartitionCatalog;
  /** The blocked-run events published to `etl-failures`. */
  readonly published: readonly RunBlockedEvent[];
  /** Stops the Athena stand-in. */
  close(): Promise<void>;
}

/** The promotion Tasks over `store`, each step run as `promotion` through `as`. */
export function promotionTasks(
  store: ObjectStore,
  layout: LakeLayout,
  as: <T>(actor: 'promotion', step: () => Promise<T>) => Promise<T>,
): PromotionTasks {
  const catalog = new MemoryPartitionCatalog();
  const published: RunBlockedEvent[] = [];
  const athena = new AthenaOnDuckDb(store, { bucket: layout.buckets.artifacts, prefix: 'athena-results/' });
  const gold = new AthenaGoldEngine({ athena, store, layout, database: 'gold' });
  const depsOf = (state: RunState): PromotionStepDeps => ({
    store,
    layout,
    catalog,
    thresholds: RECORDING_GATE,
    gold,
    // In the cloud a dead holder is one whose execution has ended: here every pending one is.
    liveness: { isDead: () => Promise.resolve(true) },
    now: () => new Date(Date.parse(state.run.started_at) + 60_000),
    publish: (event) => {
      published.push(event);
      return Promise.resolve();
    },
  });
  const task = (state: RunState, input: Record<string, unknown>) =>
    as('promotion', () => runPromotionStep({ ...input, run: state.run }, depsOf(state)));
  const gate = async (state: RunState, expected: 'PROMOTE' | 'BLOCKED') => {
    const verdict = (await task(state, { action: 'evaluate-gate' })) as { decision: string; reasons: string[] };
    if (verdict.decision !== expected) {
      throw new Error(`deploy: the gate said ${verdict.decision} to run ${state.run.run_id} (${verdict.reasons.join('; ')}), expected ${expected}`);
    }
    return verdict;
  };

  return {
    catalog,
    published,
    close: () => athena.close(),
    async promote(state) {
      await gate(state, 'PROMOTE');
      const promotion = (await task(state, { action: 'promote' })) as { partitions: { partition: string }[]; gold_from?: string };
      const gold = (await task(state, { action: 'refresh-gold' })) as { months: string[] };
      if (gold.months.length === 0) throw new Error(`deploy: promoting run ${state.run.run_id} rebuilt no Gold month`);
      return promotion.partitions.map((partition) => partition.partition);
    },
    async repromote(state) {
      const again = (await task(state, { action: 'promote' })) as { partitions: { committed: boolean }[] };
      if (again.partitions.some((partition) => partition.committed)) {
        throw new Error(`deploy: promoting run ${state.run.run_id} again committed a new version`);
      }
    },
    async beginOnly(state) {
      await gate(state, 'PROMOTE');
      await task(state, { action: 'promote' });
    },
    async rollForward(state) {
      return ((await task(state, { action: 'roll-forward' })) as { status: string }).status;
    },
    async recover(state) {
      return ((await task(state, { action: 'recover' })) as { recovered: number }).recovered;
    },
    async block(state) {
      const verdict = await gate(state, 'BLOCKED');
      const before = published.length;
      await task(state, { action: 'record-blocked', gate: verdict });
      if (published.length !== before + 1) throw new Error(`deploy: blocking run ${state.run.run_id} published no event`);
    },
  };
}
