import { cp, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { INFRA_SERVICE_DIR, WORKSPACE_ROOT } from './function-services';

/** The files of the infrastructure service, relative to its directory. */
export const INFRA_FILES = ['serverless.yml', 'starter.asl.json', 'row-pipeline-functions.js'] as const;

/** The state machine definition the infrastructure service deploys, relative to the workspace root. */
export const ROW_PIPELINE_DEFINITION = join('libs', 'state-machine', 'src', 'row-pipeline.asl.json');

/**
 * Lays out a copy of what `infra/serverless.yml` reads — its own files, the row-pipeline definition
 * at the same relative path, and the workspace's node_modules (the Step Functions plugin) — under
 * `root`, so that it can be packaged (or its definition altered) without touching the workspace.
 * Returns the copy's service directory.
 */
export async function copyInfraService(root: string, workspace: string = WORKSPACE_ROOT): Promise<string> {
  const dir = join(root, INFRA_SERVICE_DIR);
  await mkdir(dir, { recursive: true });
  await mkdir(join(root, 'libs', 'state-machine', 'src'), { recursive: true });
  await Promise.all([
    ...INFRA_FILES.map((file) => cp(join(workspace, INFRA_SERVICE_DIR, file), join(dir, file))),
    cp(join(workspace, ROW_PIPELINE_DEFINITION), join(root, ROW_PIPELINE_DEFINITION)),
    symlink(join(workspace, 'node_modules'), join(root, 'node_modules'), 'dir'),
  ]);
  return dir;
}
