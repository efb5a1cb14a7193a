import { StorageError } from '@ledgerlake/domain';
import { describeStageError } from './stage-lake';

const target = { kind: 'stage', stage: 'prod', region: 'eu-west-1' } as const;
const sdkError = (name: string, message = name) => Object.assign(new Error(message), { name });
/** As the S3 adapter hands an SDK error on: a StorageError with it as the cause. */
const fromAdapter = (cause: Error) => new StorageError(`storage-s3: list failed: ${cause.name}`, { cause });

describe('describeStageError', () => {
  it.each([
    [sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), 'No valid AWS credentials to reach stage prod (eu-west-1): sign in (aws sso login, or set AWS_PROFILE / --profile) and try again.'],
    [fromAdapter(sdkError('ExpiredToken')), 'No valid AWS credentials to reach stage prod (eu-west-1): sign in (aws sso login, or set AWS_PROFILE / --profile) and try again.'],
    [fromAdapter(sdkError('PermanentRedirect')), "Bucket ledgerlake-prod-artifacts of stage prod (eu-west-1) is in another region: give the stage's region with --region or in ledgerlake.config.json."],
    [fromAdapter(sdkError('NoSuchBucket')), 'Stage prod (eu-west-1) is not deployed here (bucket ledgerlake-prod-artifacts does not exist): check the stage name, --region and the account of your credentials.'],
    [fromAdapter(sdkError('AccessDenied')), 'Access denied to bucket ledgerlake-prod-artifacts of stage prod (eu-west-1): your role needs the stage\'s ledgerlake-prod-auditor (read) or ledgerlake-prod-operator (runbook) policy (docs/deploy.md, "Operating a stage from the command line").'],
    [new Error('Region is missing'), 'No AWS region for stage prod (eu-west-1): give --region, set AWS_REGION, or add the stage\'s region to ledgerlake.config.json.'],
    [fromAdapter(sdkError('InternalError', 'We encountered an internal error')), 'Cannot reach stage prod (eu-west-1) (bucket ledgerlake-prod-artifacts): We encountered an internal error.'],
    [sdkError('AccessDeniedException'), 'Access denied to workgroup ledgerlake-prod of stage prod (eu-west-1): your role needs the stage\'s ledgerlake-prod-auditor (read) or ledgerlake-prod-operator (runbook) policy (docs/deploy.md, "Operating a stage from the command line").', 'workgroup ledgerlake-prod'],
    [sdkError('ResourceNotFoundException'), 'Stage prod (eu-west-1) is not deployed here (workgroup ledgerlake-prod does not exist): check the stage name, --region and the account of your credentials.', 'workgroup ledgerlake-prod'],
  ])('%s', (error, sentence, resource = 'bucket ledgerlake-prod-artifacts') => {
    expect(describeStageError(error, target, resource)).toBe(sentence);
  });
});
