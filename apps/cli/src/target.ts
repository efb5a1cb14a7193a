import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './cli-error';
import { DEFAULT_LAKE_DIR } from './lake-folder';

/*
 * Which lake a command works on (docs/deploy.md, "Operating a stage from the command line"): a local lake folder (the default)
 * or a deployed stage, chosen by, first to last:
 *   --lake DIR | --stage NAME (not both), LEDGERLAKE_STAGE, LEDGERLAKE_LAKE,
 *   the nearest ledgerlake.config.json (this folder or a parent): its "stage" or "lake",
 *   else ./lake.
 * A stage's region and profile: --region / --profile, else the config's entry for the stage, else
 * the AWS SDK's own chain (AWS_REGION, AWS_PROFILE, ~/.aws/config).
 */

/** The file a project keeps its targets in, found in the working folder or the nearest parent. */
export const CONFIG_FILE = 'ledgerlake.config.json';

/** A stage name as the deployment takes it (infra/serverless.yml's Stage parameter). */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9]{0,19}$/;

const StageNameSchema = z.string().regex(STAGE_NAME_PATTERN, 'a stage name is a lowercase letter, then up to 19 lowercase letters or digits');

const ConfigSchema = z
  .object({
    /** The stage commands work on when neither an option nor the environment names a target. */
    stage: StageNameSchema.optional(),
    /** Or a lake folder, relative to the config file. */
    lake: z.string().min(1).optional(),
    /** Per stage: its AWS region and profile. */
    stages: z.record(StageNameSchema, z.object({ region: z.string().min(1).optional(), profile: z.string().min(1).optional() }).strict()).optional(),
  })
  .strict()
  .refine((config) => config.stage === undefined || config.lake === undefined, 'name either "stage" or "lake", not both');

type Config = z.infer<typeof ConfigSchema>;

/** Where a command's lake is. */
export type LakeTarget =
  | { readonly kind: 'local'; readonly dir: string }
  | { readonly kind: 'stage'; readonly stage: string; readonly region?: string; readonly profile?: string };

/** The target options every command takes. */
export interface TargetOptions {
  readonly lake?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** The target a command works on (the order above); a bad stage name or config file is a usage error naming it. */
export async function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv, cwd: string): Promise<LakeTarget> {
  if (options.lake !== undefined && options.stage !== undefined) {
    throw new CliError('Give either --lake (a local lake folder) or --stage (a deployed stage), not both.', EXIT.usage);
  }
  const found = await findConfig(cwd);
  const stage = (name: string, from: string): LakeTarget => {
    const parsed = StageNameSchema.safeParse(name);
    if (!parsed.success) throw new CliError(`${from} names stage ${JSON.stringify(name)}: ${parsed.error.issues[0]?.message ?? 'not a stage name'}.`, EXIT.usage);
    const entry = found?.config.stages?.[name];
    const region = options.region ?? entry?.region;
    const profile = options.profile ?? entry?.profile;
    return { kind: 'stage', stage: name, ...(region === undefined ? {} : { region }), ...(profile === undefined ? {} : { profile }) };
  };
  const local = (dir: string, base: string): LakeTarget => {
    if (options.region !== undefined || options.profile !== undefined) {
      throw new CliError('--region and --profile choose how a deployed stage is reached: give --stage NAME with them.', EXIT.usage);
    }
    return { kind: 'local', dir: resolve(base, dir) };
  };
  if (options.lake !== undefined) return local(options.lake, cwd);
  if (options.stage !== undefined) return stage(options.stage, '--stage');
  if (env['LEDGERLAKE_STAGE']) return stage(env['LEDGERLAKE_STAGE'], 'LEDGERLAKE_STAGE');
  if (env['LEDGERLAKE_LAKE']) return local(env['LEDGERLAKE_LAKE'], cwd);
  if (found?.config.stage !== undefined) return stage(found.config.stage, found.path);
  if (found?.config.lake !== undefined) return local(found.config.lake, dirname(found.path));
  return local(DEFAULT_LAKE_DIR, cwd);
}

/** The nearest config file from `cwd` up, parsed; `undefined` if there is none. */
async function findConfig(cwd: string): Promise<{ path: string; config: Config } | undefined> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const path = join(dir, CONFIG_FILE);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new CliError(`Cannot read ${path}: ${error.message}.`, EXIT.usage);
    });
    if (text !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new CliError(`${path} is not JSON: ${(error as Error).message}.`, EXIT.usage);
      }
      const parsed = ConfigSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
        throw new CliError(`${path}${where}: ${issue?.message ?? 'not a LedgerLake config'}.`, EXIT.usage);
      }
      return { path, config: parsed.data };
    }
    if (dirname(dir) === dir) return undefined;
  }
}
