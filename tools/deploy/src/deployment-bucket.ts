import type { CfnTemplate } from './package-service';

/** osls's logical id of the bucket it makes for a service's code and templates. */
export const DEPLOYMENT_BUCKET_ID = 'ServerlessDeploymentBucket';

const BLOCK_ALL = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const;

/**
 * What keeps a service's deployment bucket from being as hardened as the lake's buckets, one
 * sentence each (empty when it is): versioned, every public-access block on, encrypted by default,
 * and a bucket policy that denies every request made without TLS.
 */
export function deploymentBucketFindings(template: CfnTemplate): string[] {
  const bucket = template.Resources[DEPLOYMENT_BUCKET_ID];
  if (bucket?.Type !== 'AWS::S3::Bucket') return [`the template has no ${DEPLOYMENT_BUCKET_ID}`];
  const props = (bucket.Properties ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const findings: string[] = [];
  if (props['VersioningConfiguration']?.['Status'] !== 'Enabled') findings.push(`${DEPLOYMENT_BUCKET_ID} is not versioned`);
  const blocks = props['PublicAccessBlockConfiguration'] ?? {};
  const open = BLOCK_ALL.filter((name) => blocks[name] !== true);
  if (open.length > 0) findings.push(`${DEPLOYMENT_BUCKET_ID} does not set ${open.join(', ')}`);
  const rules = (props['BucketEncryption']?.['ServerSideEncryptionConfiguration'] ?? []) as { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }[];
  if (!rules.some((rule) => rule.ServerSideEncryptionByDefault?.SSEAlgorithm !== undefined)) {
    findings.push(`${DEPLOYMENT_BUCKET_ID} has no default encryption`);
  }
  const policies = Object.values(template.Resources).filter(
    (resource) =>
      resource.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(resource.Properties?.['Bucket']) === JSON.stringify({ Ref: DEPLOYMENT_BUCKET_ID }),
  );
  const statements = policies.flatMap((policy) => (policy.Properties?.['PolicyDocument'] as { Statement: Record<string, unknown>[] }).Statement);
  const tlsOnly = statements.some(
    (statement) =>
      statement['Effect'] === 'Deny' &&
      statement['Action'] === 's3:*' &&
      statement['Principal'] === '*' &&
      String((statement['Condition'] as { Bool?: Record<string, unknown> } | undefined)?.Bool?.['aws:SecureTransport']) === 'false',
  );
  if (!tlsOnly) findings.push(`${DEPLOYMENT_BUCKET_ID}'s policy does not deny requests without TLS`);
  return findings;
}
