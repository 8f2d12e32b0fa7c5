import { AppModel, ResourceTypes } from './app-model';
import { uncertainReason } from './bucket-encryption';
import { PropertyExplanation } from './findings';
import { describeRequest, verdictsOf } from './properties';
import { ResourceHandle, RuleCompliance, RuleContext, S3EncryptionRule, Standard } from './rule';
import BucketKeyEnabled from './rules/BucketKeyEnabled';
import DefaultEncryptionAllowed from './rules/DefaultEncryptionAllowed';
import KmsKeyCustomerManaged from './rules/KmsKeyCustomerManaged';
import KmsKeyPinnedByPolicy from './rules/KmsKeyPinnedByPolicy';
import KmsKeyPolicyRestricted from './rules/KmsKeyPolicyRestricted';
import KmsKeyRotated from './rules/KmsKeyRotated';
import ObjectEventsAudited from './rules/ObjectEventsAudited';
import SingleBucketPolicy from './rules/SingleBucketPolicy';
import SseCBlockedUnlessRequired from './rules/SseCBlockedUnlessRequired';
import TlsFloorEnforced from './rules/TlsFloorEnforced';
import TlsOnlyEnforced from './rules/TlsOnlyEnforced';
import TrailsWithinQuota from './rules/TrailsWithinQuota';
import UploadHeaderEnforced from './rules/UploadHeaderEnforced';
import { AllowedEncryption, EncryptionChecksStandardProps } from './standard';
import { DEFAULT_MINIMUM_TLS_VERSION, EncryptionMode } from '../policy/requirement';

// Judging one resource with every rule in every way its templates may be deployed, and the text of the findings.
// Shared by the cdk-nag pack (S3EncryptionChecks) and the check command, which runs without cdk-nag or aws-cdk-lib.

/** A rule with the text of its findings. */
export interface RuleDefinition {
  readonly rule: S3EncryptionRule;
  /** The resource type the rule checks. */
  readonly resourceType: string;
  readonly level: 'error' | 'warning';
  /** What is wrong: the first sentence of every finding. */
  readonly info: string;
  /** Why the rule exists (added to findings with `verbose: true`). */
  readonly explanation: string;
}

/** The rules of the pack, in the order their findings are reported. */
export const RULES: readonly RuleDefinition[] = [
  {
    rule: DefaultEncryptionAllowed,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The bucket\'s default encryption is missing or not allowed by the standard.',
    explanation: 'Default encryption is what S3 applies to every upload that does not ask for a mode, and the one ' +
      'setting auditors (Security Hub S3.4/S3.17, Config s3-default-encryption-kms) read.',
  },
  {
    rule: TlsOnlyEnforced,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The bucket\'s policy does not deny requests made without TLS.',
    explanation: 'Without TLS, object data and credentials cross the network in the clear (Security Hub S3.5, ' +
      'Control Tower CT.S3.PR.8).',
  },
  {
    rule: TlsFloorEnforced,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The bucket\'s policy does not deny requests over TLS older than the standard\'s floor.',
    explanation: 'TLS 1.0 and 1.1 have known weaknesses; s3:TlsVersion lets the bucket refuse them.',
  },
  {
    rule: UploadHeaderEnforced,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The bucket\'s policy does not enforce its upload-header rule, or contradicts its default encryption.',
    explanation: 'The upload-header rule is what proves, per request, that every object is encrypted as the standard ' +
      'says; a rule that contradicts the default encryption denies the uploads that use it.',
  },
  {
    rule: KmsKeyCustomerManaged,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The SSE-KMS/DSSE-KMS bucket does not encrypt with an allowed customer-managed key.',
    explanation: 'The AWS managed key aws/s3 cannot be restricted by a key policy, rotated on your schedule, or ' +
      'separated per bucket; a standard may also name the keys buckets must use.',
  },
  {
    rule: KmsKeyPinnedByPolicy,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The bucket\'s policy does not pin its KMS key.',
    explanation: 'A writer can name any key (or none, falling back to aws/s3) in the upload; only a Deny on ' +
      's3:x-amz-server-side-encryption-aws-kms-key-id keeps every object under the bucket\'s key.',
  },
  {
    rule: KmsKeyRotated,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'The bucket\'s KMS key does not rotate.',
    explanation: 'Automatic rotation limits how much data one key version protects (Security Hub KMS.4).',
  },
  {
    rule: BucketKeyEnabled,
    resourceType: ResourceTypes.BUCKET,
    level: 'warning',
    info: 'The bucket\'s S3 Bucket Key setting does not fit its encryption.',
    explanation: 'Without a Bucket Key, SSE-KMS calls KMS for every object operation: cost, and the account\'s KMS ' +
      'request quota shared by every bucket. DSSE-KMS does not support Bucket Keys.',
  },
  {
    rule: SseCBlockedUnlessRequired,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'SSE-C is not blocked on the bucket, or not set up consistently for an SSE-C bucket.',
    explanation: 'SSE-C objects are encrypted under keys the organisation never sees, and are lost with them; S3 lets ' +
      'buckets block SSE-C (BlockedEncryptionTypes).',
  },
  {
    rule: SingleBucketPolicy,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'Several bucket policy resources name the bucket.',
    explanation: 'S3 keeps one policy per bucket: the last deployed replaces the others, so the statements the other ' +
      'rules evaluated are not what the bucket has.',
  },
  {
    rule: ObjectEventsAudited,
    resourceType: ResourceTypes.BUCKET,
    level: 'error',
    info: 'No valid trail of the app records the bucket\'s object events.',
    explanation: 'Object-level events (who read or wrote which object, with which key) are the audit record of an ' +
      'encryption standard (Security Hub S3.22/S3.23); unvalidated or unencrypted logs are not evidence.',
  },
  {
    rule: KmsKeyPolicyRestricted,
    resourceType: ResourceTypes.KEY,
    level: 'error',
    info: 'The KMS key\'s policy grants cryptographic operations to everyone.',
    explanation: 'A key any principal may use to decrypt protects nothing, whatever the bucket policy says.',
  },
  {
    rule: TrailsWithinQuota,
    resourceType: ResourceTypes.TRAIL,
    level: 'error',
    info: 'The app creates more CloudTrail trails in one account and Region than CloudTrail allows.',
    explanation: 'CloudTrail allows 5 trails per Region (multi-Region trails count in every Region); the sixth fails ' +
      'to deploy.',
  },
];

/** The prefix of the rule IDs (`S3Encryption-<Rule>`) and the pack's name. */
export const PACK_NAME = 'S3Encryption';

/** The IDs of the rules, `S3Encryption-<Rule>`. */
export const RULE_IDS: readonly string[] = RULES.map((r) => `${PACK_NAME}-${r.rule.name}`);

/** cdk-nag's rule for acknowledgement reasons: at least this many characters. */
export const MIN_REASON_LENGTH = 10;

/** A rule context for one way of deploying the templates. */
export interface ScenarioContext extends RuleContext {
  /** How findings name the scenario, when there are several. */
  readonly label?: string;
}

/** A finding of one rule on one resource, over all scenarios. */
export interface Judgement {
  readonly ruleId: string;
  readonly description: string;
  readonly severity: 'error' | 'warning';
  /** The reason of the acknowledgement that suppresses it, if one does. */
  readonly suppressedBecause?: string;
}

export interface JudgeOptions {
  /** The reason of an acknowledgement of a rule on the resource, if any (`''` for an acknowledgement without one). */
  readonly acknowledgement: (ruleId: string) => string | undefined;
  /** A sentence naming the parameter defaults the resource's stack was judged with, if any. */
  readonly assumed?: string;
  /** Add why each rule exists. */
  readonly verbose: boolean;
}

/** Every finding of the rules for a resource of this type, judged in every scenario. */
export function judge(handle: ResourceHandle, resourceType: string, contexts: readonly ScenarioContext[], options: JudgeOptions): Judgement[] {
  const out: Judgement[] = [];
  for (const definition of RULES) {
    if (definition.resourceType !== resourceType) continue;
    const perScenario = contexts.map((context) => ({ label: context.label, reasons: reasonsOf(definition, handle, context) }));
    const failing = perScenario.filter((r) => r.reasons.length > 0);
    if (failing.length === 0) continue;
    // The same finding in every scenario needs no scenario; otherwise each says when it holds.
    const alike = failing.length === perScenario.length && failing.every((r) => r.reasons.join(' ') === failing[0].reasons.join(' '));
    const reasons = alike ? failing[0].reasons : failing.map((r) => `When ${r.label ?? 'deployed as written'}: ${r.reasons.join(' ')}`);
    const ruleId = `${PACK_NAME}-${definition.rule.name}`;
    const acknowledgement = options.acknowledgement(ruleId);
    const tooShort = acknowledgement !== undefined && acknowledgement.trim().length < MIN_REASON_LENGTH;
    const description = [
      definition.info, ...reasons, ...(options.assumed ? [options.assumed] : []),
      ...(tooShort ? [`(Acknowledged with the reason ${JSON.stringify(acknowledgement)}, which does not suppress: a reason needs at least ${MIN_REASON_LENGTH} characters.)`] : []),
      ...(options.verbose ? [`Why: ${definition.explanation}`] : []),
    ].join(' ');
    out.push({
      ruleId,
      description,
      severity: definition.level,
      suppressedBecause: acknowledgement !== undefined && !tooShort ? acknowledgement : undefined,
    });
  }
  return out;
}

/** Run one rule on one resource in one context; a rule that throws is a finding, not a crash. */
function reasonsOf(definition: RuleDefinition, handle: ResourceHandle, context: RuleContext): string[] {
  let result;
  try {
    result = definition.rule(handle, context);
  } catch (e) {
    // Rules do not throw on configuration problems; this is a bug, reported as a finding rather than a crash.
    result = [`The rule failed: ${(e as Error).message}. Please report it; acknowledge the finding meanwhile.`];
  }
  if (result === RuleCompliance.COMPLIANT || result === RuleCompliance.NOT_APPLICABLE) return [];
  return Array.isArray(result) ? result : [''];
}

/** A sentence naming the parameter defaults a stack was judged with, if any. */
export function assumptionsNote(assumptions: ReadonlyArray<{ readonly stack: string; readonly parameter: string; readonly value: string }>,
  stackPath: string): string | undefined {
  const here = assumptions.filter((a) => a.stack === stackPath);
  if (here.length === 0) return undefined;
  return `(Judged with ${here.map((a) => `parameter ${a.parameter} = ${JSON.stringify(a.value)}, its default`).join(', ')}; ` +
    'a deployment may pass other values: give them with --parameters, or AllowedValues to have each judged.)';
}

/** Every property decided on a model, for `explanations()` and `check --explain`; `path` is the subject's record path. */
export function explanationsOf(model: AppModel, scenario: string | undefined): Array<PropertyExplanation & { readonly handle: object }> {
  return verdictsOf(model).map(({ subject, propertyClass, decision }) => {
    const { property, description: covers, compliantWhen } = propertyClass;
    const base = {
      handle: subject.record.handle, constructPath: subject.record.path, property, covers, requestsDecided: decision.requestsDecided, scenario,
    };
    switch (decision.kind) {
      case 'proof':
        return { ...base, verdict: 'proof', compliant: compliantWhen === undefined ? undefined : compliantWhen === 'proof' };
      case 'counterexample':
        return {
          ...base,
          verdict: 'counterexample',
          detail: describeRequest(decision.request),
          compliant: compliantWhen === undefined ? undefined : compliantWhen === 'counterexample',
        };
      case 'uncertain':
        return { ...base, verdict: 'could not evaluate', detail: uncertainReason(decision), compliant: compliantWhen === undefined ? undefined : false };
    }
  });
}

/**
 * The standard of the settings, with the allowed key ARNs resolved: literal ARNs as they are, others by
 * `resolveKeyArn` (the pack resolves `key.keyArn` tokens against the app), undefined when they cannot be.
 */
export function standardOf(settings: EncryptionChecksStandardProps, resolveKeyArn: (entry: string) => string | undefined = (e) => e): Standard {
  const kmsOnly = settings.allowedEncryption === AllowedEncryption.KMS_ONLY;
  let allowedKmsKeyArns: Set<string> | undefined;
  const unresolvedKmsKeyArns: string[] = [];
  if (settings.allowedKmsKeyArns !== undefined) {
    allowedKmsKeyArns = new Set();
    for (const entry of settings.allowedKmsKeyArns) {
      const arn = resolveKeyArn(entry);
      if (arn === undefined) unresolvedKmsKeyArns.push(entry);
      else allowedKmsKeyArns.add(arn);
    }
  }
  return {
    allowedAlgorithms: kmsOnly
      ? [EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS]
      : [EncryptionMode.SSE_S3, EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS],
    allowSseC: settings.allowSseC ?? false,
    allowedKmsKeyArns,
    unresolvedKmsKeyArns,
    minimumTlsVersion: settings.minimumTlsVersion ?? DEFAULT_MINIMUM_TLS_VERSION,
    requireUploadHeader: settings.requireUploadHeader ?? true,
    requireAuditTrail: settings.requireAuditTrail ?? false,
    requireBucketKey: settings.requireBucketKey ?? true,
  };
}
