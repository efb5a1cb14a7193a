import { join } from 'node:path';
import { FUNCTION_NAMES } from '@ledgerlake/domain';

/**
 * The Lambda function services, in pipeline order (the row functions, promotion, the failure
 * path's recorder, then the alert consumer the failure events reach): each is `apps/<name>` with
 * its own `serverless.yml`.
 */
export const FUNCTION_SERVICES = FUNCTION_NAMES;

/** One function service. */
export type FunctionService = (typeof FUNCTION_SERVICES)[number];

/** The shared-infrastructure service (buckets, state machine, alerts, catalog), relative to the workspace root. */
export const INFRA_SERVICE_DIR = 'infra';

/** The workspace root (this file is `tools/deploy/src/function-services.ts`). */
export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** The service directory of a function, relative to the workspace root. */
export function serviceDir(service: FunctionService): string {
  return join('apps', service);
}

/** Where `nx build <service>` leaves the bundle, relative to the workspace root. */
export function bundleDir(service: FunctionService): string {
  return join('dist', 'apps', service);
}
