import { App, CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { S3EncryptionChecks, S3EncryptionChecksProps } from '../../src/nag/s3-encryption-checks';
import { explicitlyDeniedBy } from '../harness/simulate';

/** One finding of the pack: a rule, a resource, the text a user reads. */
export interface Finding {
  readonly ruleId: string;
  readonly path: string;
  readonly description: string;
  readonly severity: string;
}

/**
 * Run the pack over the whole app of `scope` (as `Validations.of(app).addPlugins(pack)` does) and list its findings.
 * Both ways the pack reads an app must agree: from the construct tree (`validateScope`, rendering each resource) and
 * from the templates synthesis writes (`validate`, as CDK's validation calls it); so every test that lists findings
 * checks that too.
 */
export function findings(scope: IConstruct, props: S3EncryptionChecksProps = {}): Finding[] {
  const fromTree = listOf(new S3EncryptionChecks(undefined, props).validateScope(scope.node.root));
  const fromTemplates = listOf(new S3EncryptionChecks(undefined, props).validate(synthesizedContext(scope)));
  expect(fromTemplates).toEqual(fromTree);
  return fromTree;
}

/** What CDK's validation passes a plugin after synthesis: the written templates of the app's stacks, and the app. */
export function synthesizedContext(scope: IConstruct): IPolicyValidationContext {
  const root = scope.node.root;
  if (!Stage.isStage(root)) throw new Error(`${root.node.path} is not an app`);
  // CDK's own template validation prints its warnings on the deliberately odd templates of the tests: not ours to show.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  let assembly;
  try {
    assembly = (root as App).synth({ force: true });
  } finally {
    quiet.mockRestore();
  }
  const stackTemplates = assembly.stacksRecursively.map((s) => ({
    stackConstructPath: s.hierarchicalId, templatePath: s.templateFullPath, accountId: undefined, region: undefined,
  }));
  return { templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates, appConstruct: root };
}

/**
 * Give every request the pack reports as getting through a bucket policy (a finding's counterexample, or an upload a
 * compliant bucket allows) to iam-simulate, which must not deny it either. Returns how many were confirmed.
 */
export async function confirmCounterexamples(scope: IConstruct, props: S3EncryptionChecksProps = {}): Promise<number> {
  const pack = new S3EncryptionChecks(undefined, props);
  pack.validateScope(scope.node.root);
  let confirmed = 0;
  for (const { request, policy, account, property } of pack._bucketCounterexamples()) {
    if (await explicitlyDeniedBy(policy, request, account)) {
      throw new Error(`${property}: iam-simulate denies the counterexample ${JSON.stringify(request)} by ${JSON.stringify(policy)}`);
    }
    confirmed++;
  }
  return confirmed;
}

function listOf(report: PolicyValidationPluginReport): Finding[] {
  return report.violations.flatMap((v) => v.violatingResources.map((r) => ({
    ruleId: v.ruleName, path: r.constructPath ?? '', description: v.description, severity: v.severity ?? '',
  })));
}

/** The rule IDs of the findings, sorted, without repeats. */
export function ruleIds(list: Finding[]): string[] {
  return [...new Set(list.map((f) => f.ruleId))].sort();
}

/** `S3Encryption-<rule>`. */
export const id = (rule: string) => `S3Encryption-${rule}`;

/** A resource's rendered CloudFormation properties (overrides applied), resolved in its stack. */
export function renderedProperties(resource: CfnResource): any {
  const rendered = Stack.of(resource).resolve((resource as any)._toCloudFormation()).Resources;
  return (Object.values(rendered)[0] as any).Properties ?? {};
}

/** Replace a resource's property with an edited copy of its rendered value (an escape-hatch override). */
export function editProperty(resource: CfnResource, property: string, edit: (value: any) => any): void {
  const current = JSON.parse(JSON.stringify(renderedProperties(resource)[property] ?? null));
  resource.addPropertyOverride(property, edit(current));
}

/** Edit the statements of a policy document property (`PolicyDocument` of a bucket policy, `KeyPolicy` of a key). */
export function editStatements(resource: CfnResource, edit: (statements: any[]) => any[], property = 'PolicyDocument'): void {
  editProperty(resource, property, (doc) => ({ ...doc, Statement: edit([doc.Statement].flat()) }));
}

/** Edit the statement with `sid` (removing it when `edit` returns undefined). */
export function editStatement(resource: CfnResource, sid: string, edit: (statement: any) => any, property = 'PolicyDocument'): void {
  let found = false;
  editStatements(resource, (statements) => statements.flatMap((s) => {
    if (s.Sid !== sid) return [s];
    found = true;
    const edited = edit(JSON.parse(JSON.stringify(s)));
    return edited === undefined ? [] : [edited];
  }), property);
  if (!found) throw new Error(`No statement ${sid} in ${resource.node.path}`);
}

/** Remove the statement with `sid`. */
export function dropStatement(resource: CfnResource, sid: string, property = 'PolicyDocument'): void {
  editStatement(resource, sid, () => undefined, property);
}
