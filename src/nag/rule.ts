import { AppModel } from './app-model';

/** The encryption standard the rules hold buckets to (the pack's props, with defaults applied). */
export interface Standard {
  /** Default-encryption algorithms allowed: `AES256`, `aws:kms`, `aws:kms:dsse`. */
  readonly allowedAlgorithms: readonly string[];
  readonly allowSseC: boolean;
  /**
   * Key ARNs (and alias ARNs) buckets may use, resolved; undefined when any customer-managed key is allowed.
   */
  readonly allowedKmsKeyArns?: ReadonlySet<string>;
  /** Entries of `allowedKmsKeyArns` that could not be resolved to a concrete ARN. */
  readonly unresolvedKmsKeyArns: readonly string[];
  readonly minimumTlsVersion: number;
  readonly requireUploadHeader: boolean;
  readonly requireAuditTrail: boolean;
  readonly requireBucketKey: boolean;
}

/** What a rule may consult besides the node: the app's index and the standard. Both are read only. */
export interface RuleContext {
  readonly model: AppModel;
  readonly standard: Standard;
}

/**
 * The result of a rule: `COMPLIANT`, `NOT_APPLICABLE`, or the reasons the resource is not compliant, each a
 * sentence that says what is wrong and how to fix it (a non-empty list means non-compliant; `NON_COMPLIANT`
 * alone is allowed when the rule's own text says everything).
 */
export type RuleResult = RuleCompliance | string[];

/**
 * What a rule says when it has no reasons to give: the values of cdk-nag's `NagRuleCompliance`, so that the rules need
 * not load cdk-nag (the check command runs them without it).
 */
export enum RuleCompliance {
  COMPLIANT = 'Compliant',
  NON_COMPLIANT = 'Non-Compliant',
  NOT_APPLICABLE = 'N/A',
}

/**
 * What a rule is given: the resource it judges, as the model knows it (a `CfnResource` in an app, a template's
 * resource in the check command). Rules only pass it to the model (`model.bucket(node)`, ...).
 */
export type ResourceHandle = object;

/** A rule of the pack: a pure function of the resource and the context. */
export type S3EncryptionRule = (node: ResourceHandle, context: RuleContext) => RuleResult;

/** COMPLIANT when there are no reasons. */
export function verdict(reasons: string[]): RuleResult {
  return reasons.length > 0 ? reasons : RuleCompliance.COMPLIANT;
}

/** A list of strings for a finding: `a`, `a and b`, `a, b and c` (or `or`). */
export function listOf(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}
