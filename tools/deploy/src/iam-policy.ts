import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy, type ValidationError } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import {
  conditionKeyInRequest,
  iamAction,
  iamActionResourceTypes,
  iamConditionKey,
  type IamServiceAction,
  isWildcardOnly,
  PLACEHOLDER_ENVIRONMENT,
  resourceFitsAction,
} from './aws-specifications';
import type { CfnTemplate } from './package-service';

/*
 * IAM evaluation for the deploy checks, on top of iam-simulate's identity-policy simulation: the
 * statements are one principal's identity policies, in its own account, with no SCPs, RCPs,
 * permission boundary or session policy. iam-simulate's `runSimulation` is asynchronous (it reads
 * iam-data lazily), while the checks call `isAllowed` in filters; so the request is validated here
 * the way `runSimulation` validates it (the action exists, the resource is one of its resource
 * types, the context carries only the keys such a request has, multi-valued keys as lists) with
 * iam-data read synchronously (./aws-specifications), and the synchronous `runUnsafeSimulation`
 * evaluates it. The unit tests check that both give the same answers.
 */

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

/** The request's condition keys: a value, or several for a multi-valued key (`kms:ResourceAliases`). */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** A request to authorise: one action on one resource ARN, with the request's condition keys. */
export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

/** A value or list of values as a list. */
export function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** Every statement of the inline policies of the role `roleId` (osls calls it `IamRoleLambdaExecution`), or of the managed policy `roleId`. */
export function roleStatements(template: CfnTemplate, roleId = 'IamRoleLambdaExecution'): PolicyStatement[] {
  const role = template.Resources[roleId];
  if (role?.Type === 'AWS::IAM::ManagedPolicy') {
    return (role.Properties?.['PolicyDocument'] as { Statement: PolicyStatement[] }).Statement;
  }
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`iam-policy: the template has no IAM role or managed policy ${roleId}`);
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

/** The principal whose identity policies the statements are, in the placeholder account. */
const PRINCIPAL = `arn:${PLACEHOLDER_ENVIRONMENT.partition}:iam::${PLACEHOLDER_ENVIRONMENT.accountId}:role/ledgerlake-policy-check`;

/**
 * KMS trusts identity policies only where the key policy lets the account's IAM decide: the
 * default key policy (and LedgerLake's keys' `AccountAdministers` statement) does exactly that.
 */
const DEFAULT_KEY_POLICY = createValidatedPolicy(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministers',
        Effect: 'Allow',
        Principal: { AWS: `arn:${PLACEHOLDER_ENVIRONMENT.partition}:iam::${PLACEHOLDER_ENVIRONMENT.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  },
  validateResourcePolicy,
  // runUnsafeSimulation loads a raw resource policy without the name its engine reads; a validated one carries it.
  { name: 'DefaultKeyPolicy' },
);

/** A request conditionHolds evaluates a condition block for: an action with no resource-level permissions, on `*`. */
const CONDITION_PROBE = { action: 'ec2:DescribeInstances', resource: '*' } as const;

/** A statement as iam-simulate reads it: principal-free, literal resources, condition values as strings. */
type SimulatedStatement = Readonly<Record<string, unknown>>;

function literalList(value: unknown): string[] | undefined {
  const items = asList<unknown>(value as unknown[]);
  return items.every((item) => typeof item === 'string') ? (items as string[]) : undefined;
}

/** A condition block with its scalar values as strings (IAM reads `false` as `"false"`); undefined if a value is an intrinsic. */
function literalCondition(condition: unknown): Record<string, Record<string, string | string[]>> | undefined {
  if (typeof condition !== 'object' || condition === null) return undefined;
  const blocks = Object.entries(condition).map(([operator, keys]) => {
    if (typeof keys !== 'object' || keys === null) return undefined;
    const entries = Object.entries(keys).map(([key, value]) => {
      const values = asList<unknown>(value as unknown[]);
      if (!values.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) return undefined;
      const strings = values.map(String);
      return [key, Array.isArray(value) ? strings : (strings[0] ?? '')] as const;
    });
    return entries.some((entry) => entry === undefined) ? undefined : ([operator, Object.fromEntries(entries as [string, string | string[]][])] as const);
  });
  return blocks.some((block) => block === undefined) ? undefined : Object.fromEntries(blocks as [string, Record<string, string | string[]>][]);
}

/**
 * A statement as iam-simulate reads it as an identity policy, or undefined if it covers nothing
 * evaluable: its `Principal` is dropped (a resource policy's statement that applies to every
 * principal); resources that are intrinsics (`Fn::Sub`, `Ref`) cover nothing, so a statement with
 * no literal resource left — or a condition value that is an intrinsic — is left out.
 */
function simulatedStatement(statement: PolicyStatement): SimulatedStatement | undefined {
  const raw = statement as unknown as Readonly<Record<string, unknown>>;
  const result: Record<string, unknown> = { ...raw };
  delete result['Principal'];
  delete result['NotPrincipal'];
  if ('Resource' in raw) {
    const resources = asList<unknown>(raw['Resource'] as unknown[]).filter((item): item is string => typeof item === 'string');
    if (resources.length === 0) return undefined;
    result['Resource'] = resources;
  }
  if ('NotResource' in raw) {
    const notResources = literalList(raw['NotResource']);
    if (notResources === undefined) return undefined;
    result['NotResource'] = notResources;
  }
  if (raw['Condition'] !== undefined) {
    const condition = literalCondition(raw['Condition']);
    if (condition === undefined) return undefined;
    result['Condition'] = condition;
  }
  return result;
}

const validationCache = new Map<string, readonly ValidationError[]>();

function policyOf(statement: SimulatedStatement): { readonly Version: string; readonly Statement: SimulatedStatement[] } {
  return { Version: '2012-10-17', Statement: [statement] };
}

/** iam-policy's validation of a one-statement identity policy, cached by its text. */
function identityPolicyErrors(statement: SimulatedStatement): readonly ValidationError[] {
  const key = JSON.stringify(statement);
  let errors = validationCache.get(key);
  if (errors === undefined) {
    errors = validateIdentityPolicy(policyOf(statement));
    validationCache.set(key, errors);
  }
  return errors;
}

/** The statements as iam-simulate's identity policies, one policy each (so that Sids need not be unique). */
function identityPolicies(statements: readonly PolicyStatement[]): Simulation['identityPolicies'] {
  return statements.flatMap((statement, index) => {
    const simulated = simulatedStatement(statement);
    if (simulated === undefined) return [];
    const errors = identityPolicyErrors(simulated);
    if (errors.length > 0) {
      const detail = errors.map((error) => `${error.path}: ${error.message}`).join('; ');
      throw new Error(`iam-policy: statement ${statement.Sid ?? `#${index + 1}`} is not a valid identity-policy statement (${detail})`);
    }
    return [{ name: `statement-${index + 1}`, policy: policyOf(simulated) }];
  });
}

/** The account of a resource ARN (the placeholder account for one without, like S3's). */
function resourceAccount(resource: string): string {
  const account = resource.split(':')[4];
  return account === undefined || account === '' ? PLACEHOLDER_ENVIRONMENT.accountId : account;
}

/** The action of a request as IAM's data describes it; throws for an action IAM does not have. */
function requestAction(action: string): IamServiceAction {
  const found = iamAction(action);
  if (found === undefined) throw new Error(`iam-policy: ${action} is not an IAM action`);
  return { service: action.slice(0, action.indexOf(':')).toLowerCase(), action: found };
}

/** Throws, as iam-simulate's `runSimulation` refuses it, for a resource the action cannot be asked for. */
function checkResource(action: IamServiceAction, request: AccessRequest): void {
  if (isWildcardOnly(action.action)) {
    if (request.resource !== '*') throw new Error(`iam-policy: ${request.action} has no resource-level permissions; ask it for "*", not ${request.resource}`);
    return;
  }
  if (!resourceFitsAction(request.resource, action)) {
    const formats = iamActionResourceTypes(action).map((type) => type.arn).join(', ');
    throw new Error(`iam-policy: ${request.resource} is none of ${request.action}'s resource types (${formats})`);
  }
}

/** A context value as its key's type wants it: a list for a multi-valued key (`ArrayOf…`), else one value. */
function contextValue(key: string, value: string | readonly string[]): string | string[] {
  const multiValued = iamConditionKey(key)?.type.startsWith('ArrayOf') ?? Array.isArray(value);
  if (multiValued) return [...asList<string>(value)];
  return typeof value === 'string' ? value : (value[0] ?? '');
}

/** The request's context as iam-simulate's `runSimulation` passes it: only keys such a request carries, typed. */
function requestContext(action: IamServiceAction, request: AccessRequest): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(request.context ?? {})
      .filter(([key]) => conditionKeyInRequest(key, action, request.resource))
      .map(([key, value]) => [key, contextValue(key, value)]),
  );
}

/** iam-simulate's verdict on a request made by a principal whose identity policies are `statements`. */
function simulate(
  statements: readonly PolicyStatement[],
  request: AccessRequest,
  contextVariables: Record<string, string | string[]>,
): ReturnType<typeof runUnsafeSimulation> {
  const isKms = request.action.toLowerCase().startsWith('kms:');
  const simulation: Simulation = {
    request: {
      principal: PRINCIPAL,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount(request.resource) },
      contextVariables,
    },
    identityPolicies: identityPolicies(statements),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: isKms ? DEFAULT_KEY_POLICY : undefined,
  };
  return runUnsafeSimulation(simulation, { simulationMode: 'Strict' });
}

/**
 * Whether a condition block holds for a context, as IAM evaluates it (every operator IAM has,
 * `…IfExists`, `ForAnyValue:`/`ForAllValues:`; a key the context lacks does not match). A block
 * iam-simulate cannot evaluate (an operator IAM does not have) does not hold — so an unknown
 * condition never grants access.
 */
export function conditionHolds(condition: PolicyCondition | undefined, context: RequestContext = {}): boolean {
  if (condition === undefined) return true;
  const statement: PolicyStatement = { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition };
  const typed = Object.fromEntries(Object.entries(context).map(([key, value]) => [key, contextValue(key, value)]));
  try {
    return simulate([statement], CONDITION_PROBE, typed) === 'Allowed';
  } catch {
    return false;
  }
}

/** Whether a statement covers a request (action, a literal resource ARN, condition), whatever its effect. */
export function statementCovers(statement: PolicyStatement, request: AccessRequest): boolean {
  return isAllowed([{ ...statement, Effect: 'Allow' }], request);
}

/**
 * Whether identity statements allow a request (iam-simulate, Strict mode): some `Allow` covers it
 * and no `Deny` does, IAM's wildcards (`*` spans `/`), every condition operator, the request's
 * condition keys (those such a request carries; multi-valued keys as lists). A KMS key is taken to
 * have the default key policy. Throws for an action IAM does not have, or a resource that is not
 * one of its resource types, as iam-simulate's `runSimulation` refuses those requests.
 */
export function isAllowed(statements: readonly PolicyStatement[], request: AccessRequest): boolean {
  const action = requestAction(request.action);
  checkResource(action, request);
  return simulate(statements, request, requestContext(action, request)) === 'Allowed';
}
