import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { KeyModel } from '../app-model';
import { isIntrinsic } from '../cfn-values';
import { evaluatePolicy, PolicyStatementJson, wildcardMatch } from '../evaluator';
import { listOf, RuleContext, RuleResult, verdict } from '../rule';

/** The cryptographic operations a key policy must not grant to everyone. */
export const CRYPTO_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

const STRANGER_ACCOUNTS = ['999999999999', '888888888888'];

/**
 * No statement of a KMS key's policy lets any principal, of any account, use the key for cryptographic operations
 * without a condition that narrows who or how.
 */
export default Object.defineProperty((node: CfnResource, { model }: RuleContext): RuleResult => {
  const key = model.key(node);
  if (!key) return NagRuleCompliance.NOT_APPLICABLE;
  const policy = key.properties.KeyPolicy;
  // No KeyPolicy: KMS gives the key its default policy, which delegates to the account's IAM policies.
  if (policy === undefined) return NagRuleCompliance.COMPLIANT;
  if (policy === null || typeof policy !== 'object' || isIntrinsic(policy) || !('Statement' in policy)) {
    return ['The key policy could not be resolved, so it cannot be shown not to grant cryptographic operations to ' +
      'everyone. Write it without Fn::If or unresolvable values, or acknowledge with the reason it is restricted.'];
  }
  const open: string[] = [];
  const reasons: string[] = [];
  for (const action of CRYPTO_ACTIONS) {
    // A statement that grants the action to everyone without a condition, whatever other statements deny: the grant
    // is one edit of a Deny away from being open, and through S3 it may already be.
    const grants = new Set(unconditionalWildcardGrants(policy.Statement, action));
    const stranger = strangerOf(key);
    try {
      const result = evaluatePolicy(policy, {
        principal: stranger,
        action,
        resource: key.arn,
        context: {
          'aws:PrincipalArn': stranger,
          'aws:PrincipalAccount': stranger.split(':')[4],
          'kms:CallerAccount': stranger.split(':')[4],
          'aws:SecureTransport': 'true',
        },
      });
      // A stranger of another account, calling directly, is allowed.
      if (result.decision === 'allow') result.statementIds.forEach((sid) => grants.add(sid));
    } catch {
      // The evaluator cannot decide (UnsupportedPolicyFeature): the literal reading above stands.
    }
    if (grants.size > 0) open.push(`${action} (${listOf([...grants])})`);
  }
  if (open.length > 0) {
    reasons.push(`The key policy grants ${listOf(open)} to any principal of any account (without a condition, or with ` +
      'conditions a caller of another account meets). Name the principals (the ' +
      'account root, roles) or add conditions that narrow the grant (kms:CallerAccount, kms:ViaService, ' +
      'aws:PrincipalOrgID, an encryption context).');
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });

function strangerOf(key: KeyModel): string {
  const account = STRANGER_ACCOUNTS.find((a) => a !== key.record.stack.account)!;
  return `arn:${key.record.stack.partition}:iam::${account}:role/S3EncryptionChecksStranger`;
}

/** Allow statements to `*` / `{AWS:"*"}` for `action` without any Condition, by Sid or index. */
function unconditionalWildcardGrants(statements: unknown, action: string): string[] {
  const list = (Array.isArray(statements) ? statements : [statements]) as PolicyStatementJson[];
  const found: string[] = [];
  list.forEach((s, i) => {
    if (s?.Effect !== 'Allow' || s.Condition !== undefined) return;
    const principal = s.Principal;
    const everyone = principal === '*' || (typeof principal === 'object' && principal !== null &&
      [principal.AWS].flat().includes('*'));
    const matches = (patterns: unknown) => [patterns].flat()
      .some((a) => typeof a === 'string' && (a === '*' || wildcardMatch(a, action, true)));
    const granted = s.Action !== undefined ? matches(s.Action) : s.NotAction !== undefined && !matches(s.NotAction);
    if (everyone && granted) found.push(s.Sid ?? `#${i}`);
  });
  return found;
}
