import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cfnSpecFindings, iamDataFindings } from '../../src/aws-specifications';
import { bundleDir, FUNCTION_SERVICES, type FunctionService, serviceDir, WORKSPACE_ROOT } from '../../src/function-services';
import { copyInfraService } from '../../src/infra-service';
import { type CfnTemplate, packageService, readPackagedTemplate } from '../../src/package-service';

/*
 * Packages every service of the repository offline — each function service's real serverless.yml
 * beside a stub bundle, and the infrastructure service in a copy of the workspace's shape — and
 * checks each template it would deploy against AWS's own specifications: the CloudFormation
 * resource specification and IAM's service authorization data (src/aws-specifications.ts).
 */

const STAGE = 'ci';
const PACKAGING_TIMEOUT_MS = 240_000;
const INFRA = 'infra';

type ServiceName = FunctionService | typeof INFRA;

const workDir = { path: '' };
const templates = new Map<ServiceName, CfnTemplate>();

/** A function service's serverless.yml and a stub bundle where `nx build` would put it, under `root`. */
async function layOutFunctionService(root: string, service: FunctionService): Promise<string> {
  const dir = join(root, serviceDir(service));
  const bundle = join(root, bundleDir(service));
  await Promise.all([mkdir(join(dir, 'src'), { recursive: true }), mkdir(bundle, { recursive: true })]);
  await Promise.all([
    copyFile(join(WORKSPACE_ROOT, serviceDir(service), 'serverless.yml'), join(dir, 'serverless.yml')),
    writeFile(join(dir, 'src', 'handler.ts'), 'export const handler = async () => ({});\n'),
    writeFile(join(bundle, 'handler.js'), 'exports.handler = async () => ({});\n'),
    writeFile(join(bundle, 'handler.js.map'), '{"version":3,"sources":[],"mappings":""}\n'),
  ]);
  return dir;
}

beforeAll(async () => {
  workDir.path = await mkdtemp(join(tmpdir(), 'ledgerlake-specs-'));
  const functions = FUNCTION_SERVICES.map(async (service) => {
    const dir = await layOutFunctionService(workDir.path, service);
    await packageService(dir, STAGE);
    templates.set(service, await readPackagedTemplate(dir));
  });
  const infra = (async () => {
    const dir = await copyInfraService(workDir.path);
    await packageService(dir, STAGE);
    templates.set(INFRA, await readPackagedTemplate(dir));
  })();
  await Promise.all([infra, ...functions]);
}, PACKAGING_TIMEOUT_MS);

afterAll(async () => {
  if (workDir.path !== '') await rm(workDir.path, { recursive: true, force: true });
});

function templateOf(service: ServiceName): CfnTemplate {
  const template = templates.get(service);
  if (template === undefined) throw new Error(`deploy: ${service} was not packaged`);
  return template;
}

const SERVICES: ServiceName[] = [INFRA, ...FUNCTION_SERVICES];

describe.each(SERVICES)('the %s template', (service) => {
  it('holds to the CloudFormation resource specification (types, properties, required properties, attributes)', () => {
    const findings = cfnSpecFindings(templateOf(service));
    if (findings.length > 0) console.log(`${service}: CloudFormation specification findings\n${findings.join('\n')}`);

    expect(Object.keys(templateOf(service).Resources).length).toBeGreaterThan(0);
    expect(findings).toEqual([]);
  });

  it("holds to IAM's own data (actions, resource ARN formats, condition keys, policy syntax)", () => {
    const findings = iamDataFindings(templateOf(service));
    if (findings.length > 0) console.log(`${service}: IAM data findings\n${findings.join('\n')}`);

    expect(findings).toEqual([]);
  });
});
