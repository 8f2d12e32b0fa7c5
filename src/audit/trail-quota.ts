import { Annotations, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import { IConstruct } from 'constructs';

/** CloudTrail's quota: trails per Region and account. A multi-Region trail counts in every Region. */
const MAX_TRAILS_PER_REGION = 5;

/** Warning id of the trail-quota annotation. */
export const TOO_MANY_TRAILS_WARNING = 'cdk-s3-encryption:TooManyTrails';

interface TrailInfo {
  readonly account: string;
  readonly region: string;
  readonly multiRegion: boolean;
}

/**
 * Counts the CloudTrail trails an app creates (this library's and any other `AWS::CloudTrail::Trail`) per
 * account and Region, and warns on every audit trail of an environment that exceeds the quota.
 *
 * It acts once, when it visits the root: by then the whole tree is built, including trails created on first
 * use by bucket constructs.
 */
class TrailQuotaAspect implements IAspect {
  constructor(private readonly isAuditTrail: (c: IConstruct) => boolean) {}

  public visit(node: IConstruct): void {
    if (node !== node.node.root) return;
    const trails = new Map<cloudtrail.CfnTrail, TrailInfo>();
    for (const c of node.node.findAll()) {
      if (c instanceof cloudtrail.CfnTrail) trails.set(c, infoOf(c));
    }
    const auditTrails = node.node.findAll().filter(this.isAuditTrail);
    const warned = new Set<IConstruct>();
    for (const auditTrail of auditTrails) {
      const { account, region } = Stack.of(auditTrail);
      // Trails of this account in this Region, plus multi-Region trails of this account created anywhere.
      const inRegion = [...trails.values()].filter((t) => t.account === account && (t.region === region || t.multiRegion));
      if (inRegion.length > MAX_TRAILS_PER_REGION && !warned.has(auditTrail)) {
        warned.add(auditTrail);
        Annotations.of(auditTrail).addWarningV2(TOO_MANY_TRAILS_WARNING,
          `This app creates ${inRegion.length} CloudTrail trails in account ${shown(account, '(deployment account)')}, ` +
          `Region ${shown(region, '(deployment Region)')} ` +
          `(multi-Region trails count in every Region), and CloudTrail allows ${MAX_TRAILS_PER_REGION} per Region: ` +
          'deployment will fail. Let the buckets of several stacks share one trail (BucketAuditing.trail(trail)), ' +
          'or use BucketAuditing.none(reason) where an organisation trail already records them.');
      }
    }
  }
}

/** A value for a message: environment-agnostic stacks have tokens for account and Region. */
function shown(value: string, unresolved: string): string {
  return Token.isUnresolved(value) ? unresolved : value;
}

function infoOf(trail: cloudtrail.CfnTrail): TrailInfo {
  const stack = Stack.of(trail);
  return { account: stack.account, region: stack.region, multiRegion: stack.resolve(trail.isMultiRegionTrail) === true };
}

/** Register the trail-quota check on the app, once. */
export function checkTrailQuota(scope: IConstruct, isAuditTrail: (c: IConstruct) => boolean): void {
  const root = scope.node.root;
  if (Aspects.of(root).all.some((a) => a instanceof TrailQuotaAspect)) return;
  Aspects.of(root).add(new TrailQuotaAspect(isAuditTrail));
}
