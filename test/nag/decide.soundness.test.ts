/* eslint-disable no-bitwise */ // a small seeded generator for the samples
// Soundness of the decision procedure against an independent engine (@cloud-copilot/iam-simulate, devDependency
// only): on random Deny policies over TLS, VPC endpoint, IP, principal and SSE-header conditions,
// - every counterexample the procedure reports is a request iam-simulate does not deny explicitly;
// - for every class the procedure proves all denied, random requests of the class (adversarial ones included: values
//   at and around the policies' constants) are all denied explicitly by iam-simulate.
import * as fc from 'fast-check';
import { denyStatementArb } from './policy-arbitraries';
import { decideAllDenied, RequestClass } from '../../src/nag/decide';
import { PolicyDocumentJson, PolicyRequest, PolicyStatementJson } from '../../src/nag/evaluator';
import { S3_BUCKET_AND_OBJECT_ACTIONS } from '../../src/nag/generated/service-authorization';
import { explicitlyDeniedBy } from '../harness/simulate';

const ACCOUNT = '111111111111';
const BUCKET = 'arn:aws:s3:::enc-bucket';
const NETWORK_ACTIONS = S3_BUCKET_AND_OBJECT_ACTIONS.filter((a) => a.conditionKeys.includes('s3:TlsVersion'));
const factor = Number(process.env.FC_RUNS_FACTOR ?? 1);
const POLICIES = 400 * factor;
const SAMPLES_PER_PROOF = 110;
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

const ACTIONS = ['s3:*', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:Get*', 's3:Put*', 's3:*Object', '*'];
const RESOURCES = [BUCKET, `${BUCKET}/*`, `${BUCKET}/data/*`, 'arn:aws:s3:::*', '*'];
const CONDITIONS: Array<[string, string, unknown[]]> = [
  ['Bool', 'aws:SecureTransport', ['false', 'true']],
  ['NumericLessThan', 's3:TlsVersion', ['1.2', '1.3']],
  ['StringNotEquals', 'aws:SourceVpce', ['vpce-1a2b3c4d']],
  ['StringEquals', 'aws:SourceVpce', ['vpce-1a2b3c4d']],
  ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.1.0/24']],
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8']],
  ['ArnNotLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/Legacy*', `arn:aws:iam::${ACCOUNT}:role/*`]],
  ['StringNotEquals', 'aws:PrincipalAccount', [ACCOUNT, '222233334444']],
  ['StringNotEquals', 's3:x-amz-server-side-encryption', ['AES256', 'aws:kms']],
  ['Null', 's3:x-amz-server-side-encryption', ['true', 'false']],
  ['StringNotLike', 's3:x-amz-server-side-encryption-aws-kms-key-id', [`arn:aws:kms:*:${ACCOUNT}:key/*`]],
];

const statementArb = denyStatementArb(ACTIONS, RESOURCES, CONDITIONS);
const policyArb: fc.Arbitrary<PolicyDocumentJson> = fc.array(statementArb, { minLength: 1, maxLength: 4 })
  .map((statements) => ({ Version: '2012-10-17', Statement: statements.map((s, i) => ({ Sid: `S${i}`, ...s }) as PolicyStatementJson) }));

const CLASSES: RequestClass[] = [
  {
    description: 'plain HTTP',
    actions: NETWORK_ACTIONS,
    resourceArn: BUCKET,
    partition: 'aws',
    account: ACCOUNT,
    principals: { ownerAccount: true, otherAccounts: true, services: false, anonymous: false },
    transports: [{ secure: false }],
  },
  {
    description: 'old TLS',
    actions: NETWORK_ACTIONS,
    resourceArn: BUCKET,
    partition: 'aws',
    account: ACCOUNT,
    principals: { ownerAccount: true, otherAccounts: true, services: false, anonymous: false },
    transports: [{ secure: true, tlsVersion: '1.0' }, { secure: true, tlsVersion: '1.1' }],
  },
  {
    description: 'KMS uploads',
    actions: S3_BUCKET_AND_OBJECT_ACTIONS.filter((a) => a.action === 's3:PutObject'),
    resourceArn: BUCKET,
    partition: 'aws',
    account: ACCOUNT,
    principals: { ownerAccount: true, otherAccounts: true, services: false, anonymous: false },
    transports: [{ secure: true, tlsVersion: '1.2' }, { secure: true, tlsVersion: '1.3' }],
    restrict: { 's3:x-amz-server-side-encryption': ['aws:kms', 'aws:kms:dsse'], 's3:x-amz-server-side-encryption-customer-algorithm': [undefined] },
  },
];

/** A random request of a class, with adversarial values (the policies' constants and their neighbours). */
function sample(requestClass: RequestClass, random: () => number): PolicyRequest {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const action = pick(requestClass.actions);
  const transport = pick(requestClass.transports);
  const account = pick([ACCOUNT, '222233334444', '999999999999']);
  const role = pick(['Legacy', 'LegacyApp', 'Writer', 'legacy']);
  const principal = `arn:aws:sts::${account}:assumed-role/${role}/s`;
  const keys = new Set(action.conditionKeys.map((k) => k.toLowerCase()));
  const context: Record<string, string> = {
    'aws:SecureTransport': String(transport.secure),
    'aws:PrincipalArn': `arn:aws:iam::${account}:role/${role}`,
    'aws:PrincipalAccount': account,
  };
  if (transport.tlsVersion) context['s3:TlsVersion'] = transport.tlsVersion;
  const maybe = (key: string, values: string[]) => {
    const v = pick([...values, undefined]);
    if (v !== undefined) context[key] = v;
  };
  maybe('aws:SourceVpce', ['vpce-1a2b3c4d', 'vpce-other']);
  maybe('aws:SourceIp', ['10.1.2.3', '192.168.1.9', '192.168.2.1', '203.0.113.5']);
  if (keys.has('s3:x-amz-server-side-encryption')) {
    const restricted = requestClass.restrict?.['s3:x-amz-server-side-encryption'];
    const sse = restricted ? pick(restricted) : pick(['AES256', 'aws:kms', 'aws:kms:dsse', undefined]);
    if (sse !== undefined) context['s3:x-amz-server-side-encryption'] = sse;
    if (sse === 'aws:kms' || sse === 'aws:kms:dsse') {
      maybe('s3:x-amz-server-side-encryption-aws-kms-key-id', [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`, 'arn:aws:kms:eu-west-1:222233334444:key/k']);
    }
  }
  const resource = action.resource === 'bucket' ? BUCKET : `${BUCKET}/${pick(['x', 'data/x', 'data', 'logs/a/b'])}`;
  return { principal, action: action.action, resource, context };
}

let simulations = 0;

async function explicitlyDenied(policy: PolicyDocumentJson, request: PolicyRequest): Promise<boolean> {
  simulations++;
  return explicitlyDeniedBy(policy, request, ACCOUNT);
}

test('counterexamples are not denied, and proven classes are denied, by iam-simulate', async () => {
  const counts = { proof: 0, counterexample: 0, uncertain: 0 };
  await fc.assert(fc.asyncProperty(policyArb, fc.integer(), async (policy, salt) => {
    let state = salt >>> 0;
    const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (const requestClass of CLASSES) {
      const decision = decideAllDenied([policy], requestClass);
      counts[decision.kind]++;
      if (decision.kind === 'counterexample') {
        expect(await explicitlyDenied(policy, decision.request)).toBe(false);
      } else if (decision.kind === 'proof') {
        for (let i = 0; i < SAMPLES_PER_PROOF; i++) {
          const request = sample(requestClass, random);
          if (!(await explicitlyDenied(policy, request))) {
            throw new Error(`proved all denied, but iam-simulate allows ${JSON.stringify(request)} for ${JSON.stringify(policy)}`);
          }
        }
      }
    }
  }), { numRuns: POLICIES, seed });
  // The corpus exercises both answers, and enough requests went through the independent engine.
  expect(counts.proof).toBeGreaterThan(50);
  expect(counts.counterexample).toBeGreaterThan(50);
  expect(simulations).toBeGreaterThanOrEqual(20_000);
}, 600_000);
