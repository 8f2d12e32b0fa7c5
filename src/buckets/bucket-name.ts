import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validationError } from '../errors';
import { generateStackName } from '../internal/cdk-internals';

// S3 general purpose bucket naming rules:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html

/** Prefixes S3 reserves: names starting with them are refused. */
const RESERVED_BUCKET_NAME_PREFIXES: readonly string[] = ['xn--', 'sthree-', 'amzn-s3-demo-'];

/** Suffixes S3 reserves (access point aliases, Object Lambda, Multi-Region Access Points, directory and table buckets). */
const RESERVED_BUCKET_NAME_SUFFIXES: readonly string[] = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why S3 refuses `name`, or `undefined` when it is a valid general purpose bucket name. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `it is ${name.length} characters long, and S3 allows 3 to 63`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'S3 allows only lowercase letters, digits, \'.\' and \'-\'';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it must start and end with a letter or digit';
  if (name.includes('..')) return 'it has two periods in a row';
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return 'it is formatted as an IP address';
  const prefix = RESERVED_BUCKET_NAME_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `it starts with '${prefix}', which S3 reserves`;
  const suffix = RESERVED_BUCKET_NAME_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `it ends with '${suffix}', which S3 reserves`;
  return undefined;
}

/** Refuse a literal `bucketName` S3 would refuse at deployment; names with tokens are checked by S3 then. */
export function validateBucketName(scope: IConstruct, where: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const problem = bucketNameProblem(name);
  if (problem !== undefined) {
    throw validationError(scope, 'InvalidBucketName',
      `bucketName '${name}' on ${where} is not a name S3 accepts: ${problem}. Pass a name of 3 to 63 lowercase letters, ` +
      'digits, \'.\' and \'-\' that starts and ends with a letter or digit and has no reserved prefix or suffix ' +
      '(see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), or remove the prop.');
  }
}

/** Whether the stack was given a name other than the one CDK derives from its construct path. */
export function isCustomStackName(stack: Stack): boolean {
  return !Token.isUnresolved(stack.stackName) && stack.stackName !== generateStackName(stack);
}

/**
 * A name fixed at synthesis for a bucket that must be named before it exists (a key policy names it): stable for the
 * construct path, the stack name, the account and the Region, and always a valid S3 name.
 *
 * Form: `<id, lowercased, at most 20 characters>-<8 hex digits>-<account>-<region>`, at most 20+1+8+1+12+1+14 = 57
 * characters with the longest Region names. The hash is of the construct path; the stack name is added to it only
 * when it is not the one CDK derives from that path (so the names of stacks deployed before this rule are
 * unchanged, and two deployments of one app under different stack names no longer collide). An id whose prefix
 * S3 reserves (`xn--`, `sthree-`, `amzn-s3-demo-`) is prefixed with `b-` (S3 refused those names, so no deployed
 * bucket has one).
 */
export function fixedBucketName(scope: IConstruct, id: string): string {
  const stack = Stack.of(scope);
  const path = [...scope.node.scopes.map((s) => s.node.id).filter((s) => s !== ''), id].join('/');
  const hash = createHash('sha256').update(isCustomStackName(stack) ? `${path}\0stackName=${stack.stackName}` : path).digest('hex').slice(0, 8);
  let prefix = id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 20) || 'bucket';
  if (RESERVED_BUCKET_NAME_PREFIXES.some((p) => `${prefix}-`.startsWith(p))) {
    prefix = `b-${prefix}`.slice(0, 20).replace(/-+$/, '');
  }
  return `${prefix}-${hash}-${stack.account}-${stack.region}`;
}
