import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { BucketAuditOptions, EncryptionAuditTrail } from './encryption-audit-trail';
import { checkEnum, checkObject, checkString, describeValue } from '../buckets/shared';
import { validationError } from '../errors';

/** How a bucket is audited. */
export enum BucketAuditingKind {
  /** Registered with the shared trail of the bucket's stack (`EncryptionAuditTrail.of(bucket)`). */
  SHARED_TRAIL = 'SHARED_TRAIL',
  /** Registered with a trail the user chose. */
  TRAIL = 'TRAIL',
  /** Not registered with any trail of this library: something else records the bucket's object events. */
  NONE = 'NONE',
}

/**
 * Whether and where a bucket construct of this library has its object events recorded.
 *
 * @example
 * new EncryptedBucket(this, 'Reports', { auditing: BucketAuditing.none('The organisation trail records S3 data events') });
 */
export class BucketAuditing {
  /**
   * Register the bucket with the shared trail of its stack, created on first use. The default.
   */
  public static sharedTrail(options: BucketAuditOptions = {}): BucketAuditing {
    checkObject(FACTORY('sharedTrail'), 'options', options, 'an object (BucketAuditOptions)');
    return new BucketAuditing(BucketAuditingKind.SHARED_TRAIL, options);
  }

  /**
   * Register the bucket with `trail`, e.g. one trail shared by the buckets of several stacks, or a second trail
   * when one would exceed CloudTrail's 500 selector values.
   */
  public static trail(trail: EncryptionAuditTrail, options: BucketAuditOptions = {}): BucketAuditing {
    if (!EncryptionAuditTrail.isEncryptionAuditTrail(trail)) throw notATrail(undefined, 'BucketAuditing.trail(trail)', trail);
    checkObject(FACTORY('trail'), 'options', options, 'an object (BucketAuditOptions)');
    return new BucketAuditing(BucketAuditingKind.TRAIL, options, trail);
  }

  /**
   * Register the bucket with no trail of this library, for a reason a reviewer can read, e.g. "the organisation
   * trail records S3 data events for every bucket". The reason is required, since unaudited object access is a
   * finding in most standards (Security Hub S3.22/S3.23).
   */
  public static none(reason: string): BucketAuditing {
    if (typeof reason !== 'string') {
      throw validationError(undefined, 'AuditingReasonRequired',
        'BucketAuditing.none(reason) needs a reason a reviewer can check (a string of at least 10 characters), but got ' +
        `${describeValue(reason)}, e.g. "the organisation trail records S3 data events of every bucket".`);
    }
    return new BucketAuditing(BucketAuditingKind.NONE, {}, undefined, reason);
  }

  /** How the bucket is audited. */
  public readonly kind: BucketAuditingKind;

  /** Which object events are recorded (for `SHARED_TRAIL` and `TRAIL`). */
  public readonly options: BucketAuditOptions;

  /**
   * The trail, for `TRAIL`.
   *
   * @default - the stack's shared trail for `SHARED_TRAIL`, none for `NONE`
   */
  public readonly auditTrail?: EncryptionAuditTrail;

  /**
   * Why the bucket is not audited by a trail of this library, for `NONE`.
   *
   * @default - none
   */
  public readonly reason?: string;

  private constructor(kind: BucketAuditingKind, options: BucketAuditOptions, auditTrail?: EncryptionAuditTrail, reason?: string) {
    this.kind = kind;
    this.options = options;
    this.auditTrail = auditTrail;
    this.reason = reason;
  }
}

/** Where a factory's arguments are checked: there is no construct yet. */
function FACTORY(name: string) {
  return { scope: undefined, where: `BucketAuditing.${name}()` };
}

function notATrail(scope: IConstruct | undefined, what: string, value: unknown): Error {
  return validationError(scope, 'AuditTrailRequired',
    `${what} was given ${describeValue(value)}, not an EncryptionAuditTrail. Pass the trail (new EncryptionAuditTrail(...) ` +
    'or EncryptionAuditTrail.of(stack)), or remove the prop to register the bucket with the stack\'s shared trail.');
}

/**
 * Register `bucket` as `auditing` says (the stack's shared trail when it says nothing). Bucket constructs call it
 * at the end of their constructors. Not part of the public API (not exported from the package).
 */
export function registerBucketAuditing(bucket: s3.IBucket, auditing: BucketAuditing = BucketAuditing.sharedTrail()): void {
  const where = `bucket '${bucket.node.path}'`;
  const site = { scope: bucket, where };
  // Checked here, where there is a construct to attach the error to: the factories are static.
  checkObject(site, 'auditing', auditing, 'a BucketAuditing (BucketAuditing.sharedTrail(), .trail(trail) or .none(reason))', false, ['kind']);
  checkEnum(site, 'auditing.kind', auditing.kind, Object.values(BucketAuditingKind), 'BucketAuditingKind');
  if (auditing.kind !== BucketAuditingKind.NONE) {
    checkObject(site, 'the options of BucketAuditing.sharedTrail(options) or .trail(trail, options)', auditing.options, 'an object (BucketAuditOptions)');
  }
  switch (auditing.kind) {
    case BucketAuditingKind.NONE: {
      const reason = checkString(site, 'the reason of BucketAuditing.none(reason)', auditing.reason);
      if ((reason ?? '').trim().length < 10) {
        throw validationError(bucket, 'AuditingReasonRequired',
          `auditing: BucketAuditing.none('${reason ?? ''}') on bucket '${bucket.node.path}' needs a reason a ` +
          'reviewer can check (at least 10 characters), e.g. "the organisation trail records S3 data events of ' +
          'every bucket". Or remove the prop to register the bucket with the stack\'s shared trail.');
      }
      return;
    }
    case BucketAuditingKind.TRAIL:
      if (!EncryptionAuditTrail.isEncryptionAuditTrail(auditing.auditTrail)) {
        throw notATrail(bucket, `auditing: BucketAuditing.trail(trail) on ${where}`, auditing.auditTrail);
      }
      auditing.auditTrail.addBucket(bucket, auditing.options ?? {});
      return;
    case BucketAuditingKind.SHARED_TRAIL:
      EncryptionAuditTrail.of(bucket).addBucket(bucket, auditing.options ?? {});
      return;
  }
}
