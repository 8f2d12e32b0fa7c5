// Buckets of the same shape share one decision (src/nag/shared-decisions.ts). On random policies written over a
// bucket's name, the shared decision, restored for each bucket, must be what deciding that bucket alone gives, and a
// restored counterexample must be a request the bucket's own policy does not deny. Policies whose patterns could
// tell two names apart must not be shared at all.
import * as fc from 'fast-check';
import { denyStatementArb } from './policy-arbitraries';
import { decideAllDenied, RequestClass } from '../../src/nag/decide';
import { evaluateDenies, PolicyDocumentJson, PolicyStatementJson } from '../../src/nag/evaluator';
import { S3_BUCKET_AND_OBJECT_ACTIONS } from '../../src/nag/generated/service-authorization';
import { SharedPolicies } from '../../src/nag/shared-decisions';
import { explicitlyDeniedBy } from '../harness/simulate';

const ACCOUNT = '111111111111';
const NAMES = ['enc-bucket', 'archive.logs-2', 'enc-bucket-replica', `data-${ACCOUNT}-eu-west-1`, 'logs-222233334444-eu-west-1', 'x-999999999999'];
const NETWORK_ACTIONS = S3_BUCKET_AND_OBJECT_ACTIONS.filter((a) => a.conditionKeys.includes('s3:TlsVersion'));
const PUT_OBJECT = S3_BUCKET_AND_OBJECT_ACTIONS.filter((a) => a.action === 's3:PutObject');
const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';

// `{N}` stands for the bucket's name. Some patterns are safe to share (the name first, wildcards after), some are not
// (a wildcard before the name, a pattern that could match part of another name).
const RESOURCES = ['arn:aws:s3:::{N}', 'arn:aws:s3:::{N}/*', 'arn:aws:s3:::{N}/data/*', 'arn:aws:s3:::*', '*', 'arn:aws:s3:::enc*', 'arn:aws:s3:::*-bucket/*'];
const CONDITIONS: Array<[string, string, string[]]> = [
  ['Bool', 'aws:SecureTransport', ['false']],
  ['NumericLessThan', 's3:TlsVersion', ['1.2']],
  ['StringNotEquals', 'aws:SourceVpce', ['vpce-1a2b3c4d']],
  ['ArnNotLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/{N}-writer', 'arn:aws:iam::*:role/*{N}*']],
  ['StringNotEquals', 's3:x-amz-server-side-encryption', ['AES256', 'aws:kms']],
  ['StringNotEquals', KEY_ID, [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/{N}-key`]],
  ['StringNotLike', KEY_ID, [`arn:aws:kms:*:${ACCOUNT}:key/{N}*`, `arn:aws:kms:*:${ACCOUNT}:key/enc*`]],
];

const statementArb = denyStatementArb(['s3:*', 's3:GetObject', 's3:PutObject', 's3:Get*', '*'], RESOURCES, CONDITIONS);
const templateArb = fc.array(statementArb, { minLength: 1, maxLength: 4 });

const policyFor = (statements: unknown[], name: string): PolicyDocumentJson => JSON.parse(JSON.stringify({
  Version: '2012-10-17', Statement: statements.map((s, i) => ({ Sid: `S${i}`, ...(s as object) }) as PolicyStatementJson),
}).split('{N}').join(name));

const classesFor = (name: string): RequestClass[] => {
  const base = { resourceArn: `arn:aws:s3:::${name}`, partition: 'aws', account: ACCOUNT };
  const everyone = { ownerAccount: true, otherAccounts: true, services: true, anonymous: true };
  return [
    { ...base, description: 'plain HTTP', actions: NETWORK_ACTIONS, principals: everyone, transports: [{ secure: false }] },
    { ...base, description: 'old TLS', actions: NETWORK_ACTIONS, principals: everyone, transports: [{ secure: true, tlsVersion: '1.1' }] },
    {
      ...base,
      description: `uploads naming another key than ${name}-key`,
      actions: PUT_OBJECT,
      principals: everyone,
      transports: [{ secure: true, tlsVersion: '1.2' }],
      restrict: { 's3:x-amz-server-side-encryption': ['aws:kms'] },
      exclude: { [KEY_ID]: [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${name}-key`] },
    },
  ];
};

test('a shared decision, restored for each bucket, is the bucket\'s own decision; counterexamples are not denied', async () => {
  let shared = 0;
  let refused = 0;
  let counterexamples = 0;
  await fc.assert(fc.asyncProperty(templateArb, async (statements) => {
    const forms = NAMES.map((name) => ({
      name, policy: policyFor(statements, name), form: SharedPolicies.of([policyFor(statements, name)], [name]),
    }));
    if (forms.some((f) => f.form === undefined)) {
      refused++;
      return;
    }
    shared++;
    // Equal shapes share one key.
    expect(new Set(forms.map((f) => f.form!.key)).size).toBe(1);
    for (let c = 0; c < 3; c++) {
      const [first] = forms;
      const sharedClass = first.form!.requestClass(classesFor(first.name)[c]);
      const sharedDecision = decideAllDenied(first.form!.documents, sharedClass);
      for (const { name, policy, form } of forms) {
        expect(JSON.stringify(form!.requestClass(classesFor(name)[c]))).toBe(JSON.stringify(sharedClass));
        const own = decideAllDenied([policy], classesFor(name)[c]);
        const restored = form!.restore(sharedDecision);
        expect(restored.kind).toBe(own.kind);
        if (restored.kind === 'counterexample') {
          counterexamples++;
          expect(JSON.stringify(restored.request)).not.toContain('~');
          expect(restored.request.resource.startsWith(`arn:aws:s3:::${name}`)).toBe(true);
          expect(evaluateDenies(policy, restored.request).denied).toBe(false);
          // And by an engine we did not write.
          expect(await explicitlyDeniedBy(policy, restored.request, ACCOUNT)).toBe(false);
        }
      }
    }
  }), { numRuns: 150, seed: 20261203 });
  // Neither side is vacuous: most shapes are shared, and the unsafe patterns are refused.
  expect(shared).toBeGreaterThan(30);
  expect(refused).toBeGreaterThan(30);
  expect(counterexamples).toBeGreaterThan(30);
});

test.each([
  ['a wildcard before the name', 'arn:aws:s3:::*{N}/*'],
  ['a prefix pattern that matches part of the name', 'arn:aws:s3:::enc*'],
  ['the name in another case', 'arn:aws:s3:::ENC-BUCKET/*'],
])('is refused for %s', (_what, resource) => {
  const policy = policyFor([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resource }], 'enc-bucket');
  expect(SharedPolicies.of([policy], ['enc-bucket'])).toBeUndefined();
});

test.each([
  ['inside a word the procedure writes itself', 'amazonaws'],
  ['too short', 'ab'],
  ['inside an action', 'putobject'],
])('a name %s is never renamed', (_what, name) => {
  const policy = policyFor([{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::{N}/*' }], name);
  expect(SharedPolicies.of([policy], [name])).toBeUndefined();
});

test('a policy of a shape already found safe is still refused when its own name appears in another case', () => {
  // The same text but for the names: the upper-case string is not the first bucket's name, but it is the second's.
  const statements = [
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::{N}/*' },
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::{N}/*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'DATA-BUCKET-2' } } },
  ];
  const safe = SharedPolicies.of([policyFor(statements, 'enc-bucket-2')], ['enc-bucket-2']);
  expect(safe).toBeDefined();
  const variant = policyFor(statements, 'data-bucket-2');
  expect(SharedPolicies.of([variant], ['data-bucket-2'])).toBeUndefined();
  // A third bucket of the shape, whose name is nowhere else, shares it.
  expect(SharedPolicies.of([policyFor(statements, 'logs-bucket-2')], ['logs-bucket-2'])?.key).toBe(safe!.key);
});

test.each([
  ['a tilde, which could be a stand-in', 'arn:aws:s3:::{N}/~name0~'],
  // In the JSON text `a\nenc-bucket` holds the name `nenc-bucket`: renaming the text would break the escape.
  ['a JSON escape a name could reach into', 'arn:aws:s3:::{N}/a\nenc-bucket'],
])('a policy with %s is not shared', (_what, resource) => {
  const policy = policyFor([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: resource }], 'nenc-bucket');
  expect(SharedPolicies.of([policy], ['nenc-bucket'])).toBeUndefined();
});
