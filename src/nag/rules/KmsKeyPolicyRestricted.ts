import { parse } from 'path';
import { isIntrinsic } from '../cfn-values';
import { PolicyStatementJson, wildcardMatch } from '../evaluator';
import { decideForKey, describeRequest, strangerKeyUseClass } from '../properties';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult, verdict } from '../rule';

/** The cryptographic operations a key policy must not grant to everyone. */
export const CRYPTO_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/**
 * No statement of a KMS key's policy grants cryptographic operations to everyone without a condition, and no request
 * by a principal of an account the policy does not name (or an anonymous one) is allowed, for any operation and any
 * value of the condition keys the policy mentions.
 */
export default Object.defineProperty((node: ResourceHandle, { model }: RuleContext): RuleResult => {
  const key = model.key(node);
  if (!key) return RuleCompliance.NOT_APPLICABLE;
  const policy = key.properties.KeyPolicy;
  // No KeyPolicy: KMS gives the key its default policy, which delegates to the account's IAM policies.
  if (policy === undefined) return RuleCompliance.COMPLIANT;
  if (policy === null || typeof policy !== 'object' || isIntrinsic(policy) || !('Statement' in policy)) {
    return ['The key policy could not be resolved, so it cannot be shown not to grant cryptographic operations to ' +
      'everyone. Write it without Fn::If or unresolvable values, or acknowledge with the reason it is restricted.'];
  }
  const reasons: string[] = [];
  // A statement that grants an operation to everyone without a condition, whatever other statements deny: the grant
  // is one edit of a Deny away from being open, and through S3 it may already be.
  const open = CRYPTO_ACTIONS.flatMap((action) => {
    const grants = unconditionalWildcardGrants(policy.Statement, action);
    return grants.length > 0 ? [`${action} (${listOf(grants)})`] : [];
  });
  if (open.length > 0) {
    reasons.push(`The key policy grants ${listOf(open)} to any principal without a condition. Name the principals (the ` +
      'account root, roles) or add conditions that narrow the grant (kms:CallerAccount, kms:ViaService, ' +
      'aws:PrincipalOrgID, an encryption context).');
  }
  // Every cryptographic operation by a principal of an account the policy does not name: none may be allowed.
  const requestClass = strangerKeyUseClass(key);
  const decision = decideForKey(model, key, policy, requestClass);
  if (decision.kind === 'counterexample') {
    reasons.push(`The key policy allows ${describeRequest(decision.request)}: a principal of an account the policy does ` +
      'not name can use the key. Narrow the grant to named principals or add conditions a stranger cannot meet ' +
      '(kms:CallerAccount, aws:PrincipalOrgID).');
  } else if (decision.kind === 'uncertain') {
    reasons.push(`The key policy could not be evaluated for ${requestClass.description}: ` +
      `${decision.statementId ? `statement ${decision.statementId}: ` : ''}${decision.feature}. Rewrite the statement with ` +
      'supported operators and resolvable values, or acknowledge the finding with the reason the key is restricted.');
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });

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
