/**
 * `npm run package`, after the build: packages every function service and the infrastructure
 * service with osls (`serverless package --stage <stage>`, default `ci`) in its own directory —
 * offline, with no AWS credentials — leaving `apps/<name>/.serverless/` (the zip and the
 * CloudFormation templates) and `infra/.serverless/` (the templates).
 *
 * Usage: node -r @swc-node/register tools/deploy/src/package-functions.ts [--stage STAGE]
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  bundleDir,
  FUNCTION_SERVICES,
  type FunctionService,
  INFRA_SERVICE_DIR,
  serviceDir,
  WORKSPACE_ROOT,
} from './function-services';
import { PACKAGE_DIR, packageService, type PackagedService } from './package-service';

/** Packages the given services, a few at a time (each osls run is one busy process). */
export async function packageFunctions(
  stage: string,
  services: readonly FunctionService[] = FUNCTION_SERVICES,
  root: string = WORKSPACE_ROOT,
): Promise<Map<FunctionService, PackagedService>> {
  const unbuilt = services.filter((service) => !existsSync(join(root, bundleDir(service), 'handler.js')));
  if (unbuilt.length > 0) {
    throw new Error(
      `deploy: no bundle for ${unbuilt.join(', ')} (expected ${bundleDir(unbuilt[0] as FunctionService)}/handler.js); ` +
        `build first: npx nx run-many -t build -p ${services.join(',')}`,
    );
  }
  const done = new Map<FunctionService, PackagedService>();
  const queue = [...services];
  const worker = async (): Promise<void> => {
    for (let service = queue.shift(); service !== undefined; service = queue.shift()) {
      done.set(service, await packageService(join(root, serviceDir(service)), stage));
    }
  };
  const workers = Math.max(1, Math.min(services.length, availableParallelism()));
  await Promise.all(Array.from({ length: workers }, worker));
  return done;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stage: { type: 'string', default: 'ci' } } });
  const started = performance.now();
  const packaged = await packageFunctions(values.stage);
  for (const service of FUNCTION_SERVICES) {
    const result = packaged.get(service);
    if (result) process.stdout.write(`packaged ${serviceDir(service)}/${PACKAGE_DIR} (${(result.ms / 1000).toFixed(1)} s)\n`);
  }
  const infra = await packageService(join(WORKSPACE_ROOT, INFRA_SERVICE_DIR), values.stage);
  process.stdout.write(`packaged ${INFRA_SERVICE_DIR}/${PACKAGE_DIR} (${(infra.ms / 1000).toFixed(1)} s)\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${packaged.size} function services and the infrastructure service packaged for stage ${values.stage} in ${seconds} s\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
