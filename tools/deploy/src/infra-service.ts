import { cp, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { INFRA_SERVICE_DIR, WORKSPACE_ROOT } from './function-services';

/** The files of the infrastructure service, relative to its directory. */
export const INFRA_FILES = ['serverless.yml', 'starter.asl.json', 'row-pipeline-functions.js', 'quality-alarms.js'] as const;

/** The deployment-bucket settings every service reads, relative to the workspace root. */
export const DEPLOYMENT_BUCKET_SETTINGS = join('tools', 'serverless', 'deployment-bucket.yml');

/** The state machine definition the infrastructure service deploys, relative to the workspace root. */
export const ROW_PIPELINE_DEFINITION = join('libs', 'state-machine', 'src', 'row-pipeline.asl.json');

/** The quality policy's defaults the data-quality alarms are set from (`quality-alarms.js`), relative to the workspace root. */
export const QUALITY_POLICY_DEFAULTS = join('libs', 'domain', 'src', 'quality-policy-defaults.json');

/**
 * Lays out a copy of what `infra/serverless.yml` reads — its own files, the row-pipeline definition,
 * the quality policy's defaults and the deployment-bucket settings at the same relative paths, and the workspace's node_modules
 * (the Step Functions plugin) — under `root`, so that it can be packaged (or its definition altered) without touching the workspace.
 * Returns the copy's service directory.
 */
export async function copyInfraService(root: string, workspace: string = WORKSPACE_ROOT): Promise<string> {
  const dir = join(root, INFRA_SERVICE_DIR);
  await mkdir(dir, { recursive: true });
  await mkdir(join(root, 'libs', 'state-machine', 'src'), { recursive: true });
  await mkdir(join(root, 'libs', 'domain', 'src'), { recursive: true });
  await mkdir(join(root, 'tools', 'serverless'), { recursive: true });
  await Promise.all([
    // Shared with the function services a caller may lay out beside it: never rewritten under them.
    cp(join(workspace, DEPLOYMENT_BUCKET_SETTINGS), join(root, DEPLOYMENT_BUCKET_SETTINGS), { force: false }),
    ...INFRA_FILES.map((file) => cp(join(workspace, INFRA_SERVICE_DIR, file), join(dir, file))),
    cp(join(workspace, ROW_PIPELINE_DEFINITION), join(root, ROW_PIPELINE_DEFINITION)),
    cp(join(workspace, QUALITY_POLICY_DEFAULTS), join(root, QUALITY_POLICY_DEFAULTS)),
    symlink(join(workspace, 'node_modules'), join(root, 'node_modules'), 'dir'),
  ]);
  return dir;
}
