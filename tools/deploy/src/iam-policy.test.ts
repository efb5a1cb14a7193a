import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  type AccessRequest,
  actionMatches,
  conditionHolds,
  isAllowed,
  type PolicyStatement,
  statementCovers,
  wildcardMatch,
} from './iam-policy';

const ARTIFACTS = 'arn:aws:s3:::ledgerlake-ci-artifacts';
const ACCOUNT = '123456789012';
const DATA_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** What iam-simulate's own, validated and asynchronous `runSimulation` says of the same request. */
async function simulated(statements: readonly PolicyStatement[], request: AccessRequest): Promise<boolean> {
  const kms = request.action.startsWith('kms:');
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/ledgerlake-policy-check`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: Object.fromEntries(Object.entries(request.context ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : [...value]])),
      },
      identityPolicies: statements.map((statement, index) => ({ name: `s${index}`, policy: { Version: '2012-10-17', Statement: [statement] } })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: kms
        ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] }
        : undefined,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`runSimulation: ${result.errors.message}`);
  return result.overallResult === 'Allowed';
}

/** isAllowed's answer, checked against runSimulation's. */
async function allowed(statements: readonly PolicyStatement[], request: AccessRequest): Promise<boolean> {
  const answer = isAllowed(statements, request);
  expect(await simulated(statements, request)).toBe(answer);
  return answer;
}

describe('wildcardMatch', () => {
  it('lets * span folders, as IAM does', () => {
    const key = `${ARTIFACTS}/runs/20240105T090000Z/work/enriched/part-00000.tsv`;

    expect(wildcardMatch(`${ARTIFACTS}/runs/*/work/enriched/*`, key)).toBe(true);
  });

  it('matches the whole value, not a part of it', () => {
    expect(wildcardMatch(`${ARTIFACTS}/runs/*/manifest.json`, `${ARTIFACTS}/runs/x/manifest.json.bak`)).toBe(false);
  });

  it('takes ? for exactly one character and other characters literally', () => {
    expect(wildcardMatch('month=0?', 'month=01')).toBe(true);
    expect(wildcardMatch('a.b', 'axb')).toBe(false);
  });

  it('is case-sensitive for resources', () => {
    expect(wildcardMatch(`${ARTIFACTS}/Runs/*`, `${ARTIFACTS}/runs/x`)).toBe(false);
  });
});

describe('actionMatches', () => {
  it('is case-insensitive and understands wildcards', () => {
    expect(actionMatches('S3:getobject', 's3:GetObject')).toBe(true);
    expect(actionMatches('s3:*', 's3:DeleteObject')).toBe(true);
    expect(actionMatches('s3:Get*', 's3:PutObject')).toBe(false);
  });
});

describe('conditionHolds', () => {
  it('holds without a condition', () => {
    expect(conditionHolds(undefined)).toBe(true);
  });

  it('matches StringLike patterns against the request key', () => {
    const condition = { StringLike: { 's3:prefix': ['control/breaker-window/*', 'control/circuit-breaker.json'] } };

    expect(conditionHolds(condition, { 's3:prefix': 'control/breaker-window/' })).toBe(true);
    expect(conditionHolds(condition, { 's3:prefix': 'ledger/' })).toBe(false);
  });

  it('does not hold when the request lacks the key', () => {
    expect(conditionHolds({ StringLike: { 's3:prefix': '*' } }, {})).toBe(false);
  });

  it('evaluates every IAM operator, negated ones too', () => {
    expect(conditionHolds({ StringNotLike: { 's3:prefix': 'secret/*' } }, { 's3:prefix': 'public/' })).toBe(true);
    expect(conditionHolds({ StringNotLike: { 's3:prefix': 'secret/*' } }, { 's3:prefix': 'secret/x' })).toBe(false);
    expect(conditionHolds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' })).toBe(true);
  });

  it('does not hold for an operator IAM does not have, so it never grants by mistake', () => {
    expect(conditionHolds({ StringRoughlyLike: { 's3:prefix': 'public/*' } }, { 's3:prefix': 'public/' })).toBe(false);
  });
});

describe('statementCovers', () => {
  it('covers what the statement names whatever its effect', () => {
    const deny: PolicyStatement = { Effect: 'Deny', Action: 's3:PutObject', Resource: `${ARTIFACTS}/runs/*` };

    expect(statementCovers(deny, { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/x/run.json` })).toBe(true);
    expect(statementCovers(deny, { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x/run.json` })).toBe(false);
  });
});

describe('isAllowed', () => {
  const allowRuns: PolicyStatement = { Effect: 'Allow', Action: 's3:GetObject', Resource: [`${ARTIFACTS}/runs/*`] };

  it('allows what an Allow statement covers', async () => {
    expect(await allowed([allowRuns], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x/manifest.json` })).toBe(true);
  });

  it('lets * span / in a resource, as IAM does (a run folder grant reaches every folder below it)', async () => {
    const partial: PolicyStatement = { Effect: 'Allow', Action: 's3:PutObject', Resource: `${ARTIFACTS}/runs/*/run.json` };

    expect(await allowed([partial], { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/a/b/c/run.json` })).toBe(true);
    expect(await allowed([partial], { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/a/run.json.tmp` })).toBe(false);
  });

  it('refuses another action, another key, or a key covered only by an intrinsic', async () => {
    const intrinsic: PolicyStatement = { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Sub': '${Bucket}/*' } };

    expect(await allowed([allowRuns], { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/x` })).toBe(false);
    expect(await allowed([allowRuns], { action: 's3:GetObject', resource: `${ARTIFACTS}/ledger/x` })).toBe(false);
    expect(isAllowed([intrinsic], { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/x` })).toBe(false);
  });

  it('lets a Deny win over an Allow', async () => {
    const deny: PolicyStatement = { Effect: 'Deny', Action: 's3:*', Resource: '*' };
    const denyLedger: PolicyStatement = { Effect: 'Deny', Action: 's3:Get*', Resource: `${ARTIFACTS}/runs/*/ledger/*` };

    expect(await allowed([allowRuns, deny], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x` })).toBe(false);
    expect(await allowed([allowRuns, denyLedger], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x/ledger/y` })).toBe(false);
    expect(await allowed([allowRuns, denyLedger], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x/manifest.json` })).toBe(true);
  });

  it('checks a ListBucket request against its s3:prefix condition', async () => {
    const list: PolicyStatement = {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: ARTIFACTS,
      Condition: { StringLike: { 's3:prefix': 'index/quarantine-hashes/*' } },
    };
    const request = (prefix: string) => ({ action: 's3:ListBucket', resource: ARTIFACTS, context: { 's3:prefix': prefix } });

    expect(await allowed([list], request('index/quarantine-hashes/month=2024-01/'))).toBe(true);
    expect(await allowed([list], request('runs/'))).toBe(false);
  });

  it('does not allow when the request lacks a key the condition needs, nor when the key does not apply to the action', async () => {
    const list: PolicyStatement = { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject'], Resource: [ARTIFACTS, `${ARTIFACTS}/*`], Condition: { StringLike: { 's3:prefix': 'runs/*' } } };

    expect(await allowed([list], { action: 's3:ListBucket', resource: ARTIFACTS })).toBe(false);
    // GetObject requests carry no s3:prefix: it is dropped, as iam-simulate drops it.
    expect(await allowed([list], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x`, context: { 's3:prefix': 'runs/x' } })).toBe(false);
  });

  it('lets a Bool aws:SecureTransport false Deny refuse a request without TLS, and only that', async () => {
    const tlsOnly: PolicyStatement = {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: [ARTIFACTS, `${ARTIFACTS}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const request = (secure: string): AccessRequest => ({ action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x`, context: { 'aws:SecureTransport': secure } });

    expect(await allowed([allowRuns, tlsOnly], request('false'))).toBe(false);
    expect(await allowed([allowRuns, tlsOnly], request('true'))).toBe(true);
    // A resource policy's statement (Principal "*", a JSON boolean as osls writes it) applies to the role too.
    const asOslsWritesIt = { ...tlsOnly, Principal: '*', Condition: { Bool: { 'aws:SecureTransport': false } } } as unknown as PolicyStatement;
    expect(isAllowed([allowRuns, asOslsWritesIt], request('false'))).toBe(false);
  });

  it('passes multi-valued keys (kms:ResourceAliases) and kms:ViaService through to the KMS data key grant', async () => {
    const useDataKey: PolicyStatement = {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`,
      Condition: {
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/ledgerlake-ci-data' },
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      },
    };
    const request = (aliases: string | readonly string[], via = 's3.eu-west-1.amazonaws.com'): AccessRequest => ({
      action: 'kms:Decrypt',
      resource: DATA_KEY,
      context: { 'kms:ResourceAliases': aliases, 'kms:ViaService': via },
    });

    expect(await allowed([useDataKey], request(['alias/other', 'alias/ledgerlake-ci-data']))).toBe(true);
    expect(await allowed([useDataKey], request('alias/ledgerlake-ci-data'))).toBe(true);
    expect(await allowed([useDataKey], request(['alias/ledgerlake-ci-alerts']))).toBe(false);
    expect(await allowed([useDataKey], request(['alias/ledgerlake-ci-data'], 'sns.eu-west-1.amazonaws.com'))).toBe(false);
    expect(await allowed([useDataKey], { action: 'kms:Encrypt', resource: DATA_KEY, context: request('alias/ledgerlake-ci-data').context })).toBe(false);
  });

  it('refuses to judge a request IAM would never see: an unknown action, a resource the action has no type for', () => {
    expect(() => isAllowed([allowRuns], { action: 's3:GetObjects', resource: `${ARTIFACTS}/runs/x` })).toThrow(/not an IAM action/);
    expect(() => isAllowed([allowRuns], { action: 's3:GetObject', resource: ARTIFACTS.replace('s3', 'sqs') })).toThrow(/resource types/);
    expect(() => isAllowed([allowRuns], { action: 'xray:PutTraceSegments', resource: ARTIFACTS })).toThrow(/resource-level/);
  });
});
