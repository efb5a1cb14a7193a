import { DATASETS, type DatasetRegistry, datasetSpec } from '@ledgerlake/domain';
import type { LakeLayout } from '@ledgerlake/storage';

/**
 * The layout of a run's dataset (docs/contract/rules.md, "Datasets"): its spec resolved from the run's
 * `dataset` in `registry` (default the shipped `DATASETS`), over the lake of `layout`. Every
 * function of the row pipeline reads and writes a run's rows through it, and finds the
 * dataset's columns in `layout.dataset`. A dataset the registry does not hold is an
 * `UnknownDatasetError`.
 */
export function runLayout(layout: LakeLayout, run: { readonly dataset: string }, registry: DatasetRegistry = DATASETS): LakeLayout {
  return layout.forDataset(datasetSpec(run.dataset, registry));
}
