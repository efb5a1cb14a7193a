import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeRunReport } from '@ledgerlake/run-recorder';
import { CliError } from './cli-error';
import type { LocalLake } from './lake-folder';
import { requireKnownRun } from '@ledgerlake/runbook';
import type { LakeTarget } from './target';

/*
 * A run's report (apps/run-recorder report/): written by every run's last step; `runs report`
 * rebuilds it (with the timeline and links the run's own report recorded), `runs show` names it.
 */

/** Where a run's report is: the file on a lake folder, `s3://bucket/key` on a stage. */
export function reportLocation(lake: LocalLake, kind: LakeTarget['kind'], runId: string): string {
  const ref = lake.layout.artifacts.report(runId);
  return kind === 'stage' ? `s3://${ref.bucket}/${ref.key}` : join(lake.root, ref.bucket, ...ref.key.split('/'));
}

/** Where a run's report is, if it has been written (`undefined`: not yet, or it could not be read). */
export async function writtenReport(lake: LocalLake, kind: LakeTarget['kind'], runId: string): Promise<string | undefined> {
  const written = await lake.store.head(lake.layout.artifacts.report(runId)).catch(() => undefined);
  return written === undefined ? undefined : reportLocation(lake, kind, runId);
}

/** What `runs report` did. */
export interface RebuiltReport {
  readonly run_id: string;
  readonly report: string;
  readonly bytes: number;
  readonly status: string;
}

/** `ledgerlake runs report RUN_ID`: writes the run's report and the index again from what the lake holds now. */
export async function rebuildRunReport(lake: LocalLake, target: LakeTarget, runId: string): Promise<RebuiltReport> {
  await requireKnownRun(lake, runId);
  const [record, manifest] = await Promise.all([lake.store.head(lake.layout.artifacts.runRecord(runId)), lake.store.head(lake.layout.artifacts.manifest(runId))]);
  if (record === undefined && manifest === undefined) throw new CliError(`Run ${runId} has neither a record nor written output yet, so no report (see \`ledgerlake runs show ${runId}\`).`);
  const where = target.kind === 'stage' ? `stage ${target.stage}` : `local lake ${lake.root}`;
  const written = await writeRunReport(lake.store, lake.layout, runId, {
    where,
    logs_command: `ledgerlake logs ${runId} ${target.kind === 'stage' ? `--stage ${target.stage}` : `--lake ${lake.root}`}`,
  });
  return { run_id: runId, report: reportLocation(lake, target.kind, runId), bytes: written.bytes, status: written.facts.status };
}

/** Opens a report file with the desktop's viewer; `false` when there is none (the caller prints the path). */
export async function openReport(path: string): Promise<boolean> {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(command, [path], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
