import { FUNCTION_NAMES, type FunctionName } from '@ledgerlake/domain';

/*
 * The names infra/serverless.yml and each function's serverless.yml give a stage's resources
 * (docs/deploy.md, "Operating a stage from the command line"): a command on `--stage NAME` derives
 * every bucket, state machine, workgroup, database and log group from the stage name alone, never
 * from a name typed by hand. stage-names.test.ts reads the templates and keeps the two in step.
 */

/** Every name of a stage a command reaches. */
export interface StageResources {
  /** `ledgerlake-<stage>`: the prefix of the five lake buckets (`ledgerlake-<stage>-bronze`, …). */
  readonly bucketPrefix: string;
  /** The row pipeline, named `ledgerlake-<stage>`; its executions are named after their run ids. */
  readonly pipeline: string;
  /** The starter every run goes through, `ledgerlake-<stage>-starter`. */
  readonly starter: string;
  /** The Athena workgroup (result location and scan cut-off), `ledgerlake-<stage>`. */
  readonly workGroup: string;
  /** The Glue databases the SQL schemas `silver`, `gold`, `quarantine` are in the cloud. */
  readonly databases: { readonly silver: string; readonly gold: string; readonly quarantine: string };
  /** Each function's log group (`/aws/lambda/ledgerlake-<stage>-<fn>`), by short name. */
  readonly logGroups: ReadonlyMap<FunctionName, string>;
}

/** The names of stage `stage`'s resources. */
export function stageResources(stage: string): StageResources {
  const base = `ledgerlake-${stage}`;
  return {
    bucketPrefix: base,
    pipeline: base,
    starter: `${base}-starter`,
    workGroup: base,
    databases: { silver: `silver_${stage}`, gold: `gold_${stage}`, quarantine: `quarantine_${stage}` },
    logGroups: new Map(FUNCTION_NAMES.map((name) => [name, `/aws/lambda/${base}-${name}`])),
  };
}
