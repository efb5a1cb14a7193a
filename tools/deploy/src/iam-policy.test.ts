import { actionMatches, conditionHolds, isAllowed, type PolicyStatement, wildcardMatch } from './iam-policy';

const ARTIFACTS = 'arn:aws:s3:::ledgerlake-ci-artifacts';

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

  it('does not hold for an operator it does not know, so it never grants by mistake', () => {
    expect(conditionHolds({ StringNotLike: { 's3:prefix': 'secret/*' } }, { 's3:prefix': 'public/' })).toBe(false);
  });
});

describe('isAllowed', () => {
  const allowRuns: PolicyStatement = { Effect: 'Allow', Action: 's3:GetObject', Resource: [`${ARTIFACTS}/runs/*`] };

  it('allows what an Allow statement covers', () => {
    expect(isAllowed([allowRuns], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x/manifest.json` })).toBe(true);
  });

  it('refuses another action, another key, or a key covered only by an intrinsic', () => {
    const intrinsic: PolicyStatement = { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Sub': '${Bucket}/*' } };

    expect(isAllowed([allowRuns], { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/x` })).toBe(false);
    expect(isAllowed([allowRuns], { action: 's3:GetObject', resource: `${ARTIFACTS}/ledger/x` })).toBe(false);
    expect(isAllowed([intrinsic], { action: 's3:PutObject', resource: `${ARTIFACTS}/runs/x` })).toBe(false);
  });

  it('lets a Deny win over an Allow', () => {
    const deny: PolicyStatement = { Effect: 'Deny', Action: 's3:*', Resource: '*' };

    expect(isAllowed([allowRuns, deny], { action: 's3:GetObject', resource: `${ARTIFACTS}/runs/x` })).toBe(false);
  });

  it('checks a ListBucket request against its s3:prefix condition', () => {
    const list: PolicyStatement = {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: ARTIFACTS,
      Condition: { StringLike: { 's3:prefix': 'index/quarantine-hashes/*' } },
    };
    const request = (prefix: string) => ({ action: 's3:ListBucket', resource: ARTIFACTS, context: { 's3:prefix': prefix } });

    expect(isAllowed([list], request('index/quarantine-hashes/month=2024-01/'))).toBe(true);
    expect(isAllowed([list], request('runs/'))).toBe(false);
  });
});
