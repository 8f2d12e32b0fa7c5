import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';

// Helpers for the unit tests of src/policy/: the builders' statements as the JSON a policy document holds.

/** A bucket of TEST_ENV's account, by literal ARN, so that the statements need no template to resolve. */
export const BUCKET_ARN = 'arn:aws:s3:::policy-unit-bucket';
export const KEY_ARN = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const OTHER_KEY_ARN = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/0000aaaa-0000-0000-0000-000000000000`;

/** The statements as a policy document, resolved in TEST_ENV (pseudo parameters such as the partition included). */
export function documentOf(...statements: iam.PolicyStatement[]): any {
  return resolve(new iam.PolicyDocument({ statements }).toJSON());
}

/** One statement as resolved JSON. */
export function jsonOf(statement: iam.PolicyStatement): any {
  return resolve(statement.toStatementJson());
}

function resolve(value: unknown): any {
  return new CfnResolver({ Resources: {} }).resolve(new Stack(undefined, undefined, { env: TEST_ENV }).resolve(value));
}

/** The account's own statement that CDK adds to every key policy: the account administers the key through IAM. */
export const ACCOUNT_ADMINISTERS_KEY = new iam.PolicyStatement({
  principals: [new iam.ArnPrincipal(`arn:aws:iam::${TEST_ENV.account}:root`)],
  actions: ['kms:*'],
  resources: ['*'],
});
