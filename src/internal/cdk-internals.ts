import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';

// The only module that uses members of aws-cdk-lib outside its public API. Private and `@internal` members can change
// in any minor release, protected ones only for subclasses' sake; none of them is typed for us. Each accessor checks
// that the member is there and has the expected kind, and throws an error naming it if not, so that an aws-cdk-lib
// release that renames one fails loudly instead of silently changing what the library does.
// test/internal/cdk-internals.test.ts runs every accessor against the installed aws-cdk-lib.

/** The members this module reads, as an error names them. */
export const CdkInternal = {
  TO_CLOUDFORMATION: 'CfnElement._toCloudFormation() (@internal)',
  RAW_OVERRIDES: 'CfnResource.rawOverrides (private)',
  CFN_PROPERTIES: 'CfnResource.cfnProperties (protected)',
  RENDER_PROPERTIES: 'CfnResource.renderProperties() (protected)',
  GENERATE_STACK_NAME: 'Stack.generateStackName() (private)',
} as const;

/** The error for an aws-cdk-lib that no longer has `internal` as this library uses it. */
function changed(internal: string, found: unknown): Error {
  return new Error(`aws-cdk-lib ${cdkVersion()} has no ${internal} as cdk-s3-encryption uses it (found ${describe(found)}). ` +
    'Use an aws-cdk-lib version in the range this version of cdk-s3-encryption supports (its peerDependencies), or ' +
    'upgrade cdk-s3-encryption. Please report it if the version is in that range.');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return typeof value === 'object' || typeof value === 'function' ? `a ${typeof value}` : `${typeof value} ${String(value)}`;
}

function cdkVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('aws-cdk-lib/package.json').version;
  } catch {
    return '(version unknown)';
  }
}

function member(target: object, name: string): unknown {
  return (target as Record<string, unknown>)[name];
}

/** The CloudFormation fragment of an element (`{ Resources: { <logicalId>: ... } }`, `{ Parameters: ... }`, ...), unresolved. */
export function toCloudFormation(element: CfnElement): any {
  const render = member(element, '_toCloudFormation');
  if (typeof render !== 'function') throw changed(CdkInternal.TO_CLOUDFORMATION, render);
  return render.call(element);
}

/** The escape-hatch overrides of a resource (`addOverride`, `addPropertyOverride`, ...): empty when there are none. */
export function rawOverrides(resource: CfnResource): Record<string, unknown> {
  const overrides = member(resource, 'rawOverrides');
  if (overrides === null || typeof overrides !== 'object') throw changed(CdkInternal.RAW_OVERRIDES, overrides);
  return overrides as Record<string, unknown>;
}

/** The properties of an L1 resource by their L1 (camelCase) names, before rendering. */
export function cfnProperties(resource: CfnResource): Record<string, unknown> {
  const properties = member(resource, 'cfnProperties');
  if (properties === null || typeof properties !== 'object') throw changed(CdkInternal.CFN_PROPERTIES, properties);
  return properties as Record<string, unknown>;
}

/** L1 properties rendered as CloudFormation has them (names and structures), as `_toCloudFormation` does. */
export function renderProperties(resource: CfnResource, properties: Record<string, unknown>): Record<string, unknown> | undefined {
  const render = member(resource, 'renderProperties');
  if (typeof render !== 'function') throw changed(CdkInternal.RENDER_PROPERTIES, render);
  return render.call(resource, properties);
}

/** The name CDK gives a stack when none is passed (from its construct path and Stage). */
export function generateStackName(stack: Stack): string {
  const generate = member(stack, 'generateStackName');
  if (typeof generate !== 'function') throw changed(CdkInternal.GENERATE_STACK_NAME, generate);
  const name: unknown = generate.call(stack);
  if (typeof name !== 'string') throw changed(CdkInternal.GENERATE_STACK_NAME, name);
  return name;
}
