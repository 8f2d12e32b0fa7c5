import { IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';

type GuaranteedBucket = s3.Bucket & {
  encryptionMode: string; uploadHeaderRule?: string; minimumTlsVersion: number; clientContentAlgorithm?: string;
};

/** Every construct below the root, depth first. */
function allConstructs(root: IConstruct): IConstruct[] {
  return [root, ...root.node.children.flatMap(allConstructs)];
}

/**
 * Print what the app's buckets guarantee, what each rule pack found, and every acknowledged finding with its
 * reason: the report a reviewer reads after a green synth, where the CDK prints nothing.
 */
export function printComplianceReport(app: IConstruct, packs: IPolicyValidationPlugin[]): void {
  const lines: string[] = ['', 'Encryption compliance report', '============================', ''];
  // Every bucket construct of the library says what it guarantees.
  const buckets = allConstructs(app).filter((c): c is GuaranteedBucket => c instanceof s3.Bucket && 'encryptionMode' in c);
  lines.push('Buckets', '-------');
  for (const bucket of buckets) {
    const header = bucket.uploadHeaderRule ? `, upload header ${bucket.uploadHeaderRule}` : '';
    const clientSide = bucket.clientContentAlgorithm ? `client-side ${bucket.clientContentAlgorithm}, then ` : '';
    lines.push(`${bucket.node.path}: ${clientSide}${bucket.encryptionMode}${header}, TLS >= ${bucket.minimumTlsVersion}`);
  }
  lines.push('', 'Rule packs', '----------');
  let total = 0;
  for (const pack of packs) {
    const report = pack instanceof NagPack ? pack.validateScope(app) : undefined;
    const findings = report?.violations.reduce((n, v) => n + v.violatingResources.length, 0) ?? 0;
    total += findings;
    lines.push(`${pack.name}: ${findings} unacknowledged finding(s)`);
    for (const violation of report?.violations ?? []) {
      lines.push(`  ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`);
    }
  }
  lines.push('', 'Acknowledged findings, by reason', '--------------------------------');
  const byReason = new Map<string, { ids: Set<string>; paths: Set<string> }>();
  for (const construct of allConstructs(app)) {
    for (const entry of construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const group = byReason.get(reason) ?? { ids: new Set<string>(), paths: new Set<string>() };
        group.ids.add(id.replace(/^annotation::/i, ''));
        group.paths.add(construct.node.path);
        byReason.set(reason, group);
      }
    }
  }
  for (const [reason, group] of byReason) {
    lines.push(`- ${[...group.ids].join(', ')}`, `  on ${[...group.paths].join(', ')}`, `  because: ${reason}`);
  }
  lines.push('', `Result: ${total === 0 ? 'PASS' : 'FAIL'} (${total} unacknowledged finding(s))`, '');
  process.stdout.write(lines.join('\n'));
}
