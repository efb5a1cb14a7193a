import { cfnSpecFindings, iamDataFindings, resolvePlaceholders, UNRESOLVED } from './aws-specifications';
import type { CfnTemplate } from './package-service';

type Resources = CfnTemplate['Resources'];

const BUCKET_ARN = 'arn:aws:s3:::ledgerlake-ci-artifacts';

/** A template of a bucket, a queue and a role whose one inline policy holds `statements`. */
function template(statements: readonly object[], extra: Resources = {}): CfnTemplate {
  return {
    Resources: {
      Artifacts: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketName: 'ledgerlake-ci-artifacts', VersioningConfiguration: { Status: 'Enabled' }, Tags: [{ Key: 'team', Value: 'lake' }] },
      },
      Failures: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ledgerlake-ci-etl-failures' } },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          Policies: [{ PolicyName: 'lambda', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
        },
      },
      Function: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { ZipFile: 'exports.handler = async () => ({});' },
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Environment: { Variables: { QUEUE_ARN: { 'Fn::GetAtt': ['Failures', 'Arn'] }, BUCKET: { Ref: 'Artifacts' } } },
        },
      },
      ...extra,
    },
  };
}

const GOOD_STATEMENTS = [
  {
    Sid: 'ReadRuns',
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Artifacts}/runs/*' },
  },
  {
    Sid: 'ListRuns',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: { 'Fn::GetAtt': ['Artifacts', 'Arn'] },
    Condition: { StringLike: { 's3:prefix': 'runs/*' }, Bool: { 'aws:SecureTransport': 'true' } },
  },
  { Sid: 'Consume', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: { 'Fn::GetAtt': ['Failures', 'Arn'] } },
  {
    Sid: 'Logs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: { 'Fn::Join': ['', ['arn:aws:logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/lambda/fn:*']] },
  },
  { Sid: 'Trace', Effect: 'Allow', Action: ['xray:PutTraceSegments'], Resource: '*' },
];

describe('cfnSpecFindings', () => {
  it('finds nothing wrong with a correct template (intrinsics accepted where values go)', () => {
    expect(cfnSpecFindings(template(GOOD_STATEMENTS))).toEqual([]);
  });

  it('reports a resource type the specification does not define', () => {
    expect(cfnSpecFindings(template([], { Thing: { Type: 'AWS::S3::Bukket' } }))).toEqual([
      'Resource Thing (AWS::S3::Bukket): its type AWS::S3::Bukket is not a resource type of the CloudFormation specification.',
    ]);
  });

  it('reports unknown properties, at the top and inside property types', () => {
    const findings = cfnSpecFindings(
      template([], {
        Data: {
          Type: 'AWS::S3::Bucket',
          Properties: { Versioning: { Status: 'Enabled' }, VersioningConfiguration: { Status: 'Enabled', MfaDelete: 'Enabled' } },
        },
      }),
    );

    expect(findings).toEqual([
      'Resource Data (AWS::S3::Bucket): property Versioning is not a property of AWS::S3::Bucket.',
      'Resource Data (AWS::S3::Bucket): property VersioningConfiguration.MfaDelete is not a property of AWS::S3::Bucket.VersioningConfiguration.',
    ]);
  });

  it('reports missing required properties, at the top and inside property types, and a misshapen value', () => {
    const findings = cfnSpecFindings(
      template([], {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'x' } } },
        Data: { Type: 'AWS::S3::Bucket', Properties: { BucketEncryption: {}, Tags: { team: 'lake' } } },
      }),
    );

    expect(findings).toEqual([
      'Resource Fn (AWS::Lambda::Function): it lacks the required property Role.',
      'Resource Data (AWS::S3::Bucket): property BucketEncryption (AWS::S3::Bucket.BucketEncryption) lacks its required property ServerSideEncryptionConfiguration.',
      'Resource Data (AWS::S3::Bucket): property Tags must be a list, not an object.',
    ]);
  });

  it('reports an Fn::GetAtt of an attribute the type does not have, in a property and in an Fn::Sub', () => {
    const findings = cfnSpecFindings(
      template([], {
        Alias: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ 'Fn::Sub': '${Failures.Url}' }], PolicyDocument: {} } },
        Other: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::GetAtt': ['Failures', 'Name'] } } },
      }),
    );

    expect(findings).toEqual([
      'Resource Alias (AWS::SQS::QueuePolicy): it reads attribute Url of Failures (Fn::GetAtt), but AWS::SQS::Queue has no attribute Url (its attributes are Arn, QueueName, QueueUrl).',
      'Resource Other (AWS::SNS::Topic): it reads attribute Name of Failures (Fn::GetAtt), but AWS::SQS::Queue has no attribute Name (its attributes are Arn, QueueName, QueueUrl).',
    ]);
  });

  it('reports a Ref or DependsOn to nothing', () => {
    const findings = cfnSpecFindings(
      template([], { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Nothing' } }, DependsOn: 'Gone' } as Resources[string] }),
    );

    expect(findings).toEqual([
      'Resource Topic (AWS::SNS::Topic): it depends on Gone, which the template does not have.',
      'Resource Topic (AWS::SNS::Topic): it refers to Nothing, which is neither a resource nor a parameter of the template.',
    ]);
  });
});

describe('resolvePlaceholders', () => {
  const resolve = (value: unknown) => resolvePlaceholders(value, template([]));

  it('resolves pseudo parameters, Fn::Sub, Fn::Join and Refs and ARNs of the template resources', () => {
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q' })).toBe('arn:aws:sqs:eu-west-1:123456789012:q');
    expect(resolve({ Ref: 'Artifacts' })).toBe('ledgerlake-ci-artifacts');
    expect(resolve({ 'Fn::GetAtt': ['Artifacts', 'Arn'] })).toBe(BUCKET_ARN);
    expect(resolve({ 'Fn::Sub': '${Failures.Arn}' })).toBe('arn:aws:sqs:eu-west-1:123456789012:ledgerlake-ci-etl-failures');
    expect(resolve({ Ref: 'Failures' })).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/ledgerlake-ci-etl-failures');
    expect(resolve({ 'Fn::Join': [':', ['a', { Ref: 'AWS::Region' }]] })).toBe('a:eu-west-1');
  });

  it('leaves what it cannot know unresolved', () => {
    expect(resolve({ 'Fn::ImportValue': 'other-stack-TopicArn' })).toBe(UNRESOLVED);
    expect(resolve({ 'Fn::Sub': '${Nope}' })).toBe(UNRESOLVED);
  });
});

describe('iamDataFindings', () => {
  it('finds nothing wrong with correct policies (Fn::Sub, Fn::Join, Ref and GetAtt resolved first)', () => {
    expect(iamDataFindings(template(GOOD_STATEMENTS))).toEqual([]);
  });

  it('reports an action IAM does not have, and an action pattern that matches none', () => {
    const findings = iamDataFindings(template([{ Sid: 'Typos', Effect: 'Allow', Action: ['s3:GetObjects', 's3:Gett*', 'nosuch:Thing'], Resource: '*' }]));

    expect(findings).toEqual([
      "Role (AWS::IAM::Role) inline policy lambda, statement Typos: action s3:GetObjects is not an action of s3 in IAM's data.",
      'Role (AWS::IAM::Role) inline policy lambda, statement Typos: action pattern s3:Gett* matches no IAM action.',
      'Role (AWS::IAM::Role) inline policy lambda, statement Typos: action nosuch:Thing names nosuch, which is not an IAM service prefix.',
    ]);
  });

  it('reports a resource that matches none of the action ARN formats: an object ARN on s3:ListBucket', () => {
    const findings = iamDataFindings(template([{ Sid: 'ListRuns', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::Sub': '${Artifacts.Arn}/runs/*' } }]));

    expect(findings).toEqual([
      `Role (AWS::IAM::Role) inline policy lambda, statement ListRuns: resource ${BUCKET_ARN}/runs/* matches no resource ARN format of s3:ListBucket (s3:ListBucket: arn:\${Partition}:s3:\${Region}:\${Account}:accesspoint/\${AccessPointName}, arn:\${Partition}:s3:::\${BucketName}).`,
    ]);
  });

  it('reports an action granted on none of its statement resources, and a wildcard-only action on an ARN', () => {
    const findings = iamDataFindings(
      template([
        { Sid: 'Mixed', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: `${BUCKET_ARN}/*` },
        { Sid: 'Trace', Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: BUCKET_ARN },
      ]),
    );

    expect(findings).toEqual([
      `Role (AWS::IAM::Role) inline policy lambda, statement Mixed: s3:ListBucket is granted on none of the statement's resources (${BUCKET_ARN}/*): its resource ARN formats are arn:\${Partition}:s3:\${Region}:\${Account}:accesspoint/\${AccessPointName}, arn:\${Partition}:s3:::\${BucketName}.`,
      `Role (AWS::IAM::Role) inline policy lambda, statement Trace: resource ${BUCKET_ARN} matches no resource ARN format of xray:PutTraceSegments (xray:PutTraceSegments: it has no resource-level permissions, so only "*").`,
    ]);
  });

  it('reports a condition key that does not apply: s3:prefix on s3:GetObject, an unknown aws: key', () => {
    const findings = iamDataFindings(
      template([
        { Sid: 'ReadRuns', Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/runs/*`, Condition: { StringLike: { 's3:prefix': 'runs/*' } } },
        { Sid: 'Secure', Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransports': 'false' } } },
      ]),
    );

    expect(findings).toEqual([
      'Role (AWS::IAM::Role) inline policy lambda, statement ReadRuns: condition key s3:prefix does not apply to s3:GetObject (neither the action nor its resource types (accesspointobject, object) list it).',
      'Role (AWS::IAM::Role) inline policy lambda, statement Secure: condition key aws:SecureTransports is not a global condition key.',
    ]);
  });

  it('checks resource policies and key policies too, and reports invalid policy syntax', () => {
    const findings = iamDataFindings(
      template([], {
        ArtifactsPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: { Ref: 'Artifacts' },
            PolicyDocument: { Statement: [{ Sid: 'Tls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [BUCKET_ARN], Condition: { Bool: { 'aws:SecureTransport': false } } }] },
          },
        },
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: { KeyPolicy: { Version: '2012-10-17', Statement: [{ Sid: 'Admins', Effect: 'Permit', Principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' } }, Action: 'kms:Administer', Resource: '*' }] } },
        },
      }),
    );

    expect(findings).toEqual([
      expect.stringMatching(/^Key \(AWS::KMS::Key\) key policy: Statement\[0\]\.Effect is not valid policy syntax: .+\.$/),
      "Key (AWS::KMS::Key) key policy, statement Admins: action kms:Administer is not an action of kms in IAM's data.",
    ]);
  });
});
