import type { CfnTemplate } from './package-service';

/** A condition block: operator → condition key → value(s). */
export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One IAM policy statement as CloudFormation carries it (resources may be intrinsics). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: PolicyCondition;
}

/** A request to authorise: one action on one resource ARN, with the request's condition keys. */
export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

/** A value or list of values as a list. */
export function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** Every statement of the inline policies of the role `roleId` (osls calls it `IamRoleLambdaExecution`). */
export function roleStatements(template: CfnTemplate, roleId = 'IamRoleLambdaExecution'): PolicyStatement[] {
  const role = template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`iam-policy: the template has no IAM role ${roleId}`);
  const policies = (role.Properties?.['Policies'] ?? []) as { PolicyDocument: { Statement: PolicyStatement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

function wildcardRegExp(pattern: string, flags: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

/** IAM wildcard match of a resource or `StringLike` value: `*` any characters (`/` included), `?` one; case-sensitive. */
export function wildcardMatch(pattern: string, value: string): boolean {
  return wildcardRegExp(pattern, 's').test(value);
}

/** Whether an action pattern (`s3:Get*`, `*`) covers an action; action names are case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardRegExp(pattern, 'is').test(action);
}

/**
 * Whether a condition block holds for the request's context. Supports the operators LedgerLake's
 * policies use (`StringEquals`, `StringLike`, `ForAnyValue:StringEquals`); any other operator, or
 * a key the request does not carry, does not hold — so an unknown condition never grants access.
 */
export function conditionHolds(
  condition: PolicyCondition | undefined,
  context: Readonly<Record<string, string>> = {},
): boolean {
  if (condition === undefined) return true;
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = asList<string>(expected);
      switch (operator) {
        case 'StringEquals':
        case 'ForAnyValue:StringEquals':
          return values.includes(actual);
        case 'StringLike':
          return values.some((pattern) => wildcardMatch(pattern, actual));
        default:
          return false;
      }
    }),
  );
}

/** Whether a statement covers a request (action, a literal resource ARN, condition), whatever its effect. */
export function statementCovers(statement: PolicyStatement, request: AccessRequest): boolean {
  const actionHit = asList<string>(statement.Action).some((pattern) => actionMatches(pattern, request.action));
  const resourceHit = asList<unknown>(statement.Resource).some(
    (resource) => typeof resource === 'string' && wildcardMatch(resource, request.resource),
  );
  return actionHit && resourceHit && conditionHolds(statement.Condition, request.context);
}

/** Whether the statements allow a request: some `Allow` covers it and no `Deny` does. */
export function isAllowed(statements: readonly PolicyStatement[], request: AccessRequest): boolean {
  const covering = statements.filter((statement) => statementCovers(statement, request));
  return covering.some((s) => s.Effect === 'Allow') && !covering.some((s) => s.Effect === 'Deny');
}
