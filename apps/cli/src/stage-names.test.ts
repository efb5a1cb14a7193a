import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_NAMES } from '@ledgerlake/domain';
import { stageResources } from './stage-names';

/** The names are derived, never configured: they must be the ones the templates deploy. */
const repo = join(__dirname, '../../..');
const template = (path: string) => readFileSync(join(repo, path), 'utf8');

describe('stageResources', () => {
  const names = stageResources('prod');
  const infra = template('infra/serverless.yml');
  /** What infra names with `${sls:stage}`, read for stage prod. */
  const deployed = (pattern: RegExp): string => {
    const match = pattern.exec(infra);
    if (match?.[1] === undefined) throw new Error(`infra/serverless.yml has no ${pattern}`);
    return match[1].replaceAll('${sls:stage}', 'prod');
  };

  it('names the state machines, the workgroup and the Glue databases as infra/serverless.yml deploys them', () => {
    expect(names.pipeline).toBe(deployed(/^ {2}stateMachineName: (\S+)$/m));
    expect(names.starter).toBe(deployed(/^ {2}starterName: (\S+)$/m));
    expect(names.workGroup).toBe(deployed(/AthenaWorkGroup:\n\s+Type: AWS::Athena::WorkGroup\n\s+Properties:\n\s+Name: (\S+)/));
    expect(names.databases).toEqual({
      silver: deployed(/^ {4}silverDatabase: (\S+)$/m),
      gold: deployed(/^ {4}goldDatabase: (\S+)$/m),
      quarantine: deployed(/^ {4}quarantineDatabase: (\S+)$/m),
    });
    expect(`${names.bucketPrefix}-artifacts`).toBe(deployed(/^ {4}artifacts: (\S+)$/m));
  });

  it("names each function's log group after the function's deployed name (Lambda's default group, none configured)", () => {
    expect([...names.logGroups.keys()]).toEqual([...FUNCTION_NAMES]);
    for (const fn of FUNCTION_NAMES) {
      const service = template(`apps/${fn}/serverless.yml`);
      const functionName = /^ {4}name: (ledgerlake-\$\{sls:stage\}-[a-z-]+)$/m.exec(service)?.[1]?.replaceAll('${sls:stage}', 'prod');
      expect(names.logGroups.get(fn)).toBe(`/aws/lambda/${functionName}`);
      expect(service).not.toMatch(/logGroup:/);
    }
  });
});
