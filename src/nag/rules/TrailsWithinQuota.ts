import { parse } from 'path';
import { AppModel, TrailModel } from '../app-model';
import { ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/** CloudTrail's quota: trails per account and Region; a multi-Region trail counts in every Region. */
export const MAX_TRAILS_PER_REGION = 5;

/** The app creates at most 5 trails in any one account and Region (multi-Region trails count in every Region). */
export default Object.defineProperty((node: ResourceHandle, { model }: RuleContext): RuleResult => {
  const trail = model.trail(node);
  if (!trail) return RuleCompliance.NOT_APPLICABLE;
  const count = trailsCounted(model).get(trail) ?? 0;
  if (count <= MAX_TRAILS_PER_REGION) return RuleCompliance.COMPLIANT;
  const where = trail.isMultiRegion ? 'a Region where this multi-Region trail counts' : `Region ${trail.region}`;
  return [`The app creates ${count} CloudTrail trails in account ${trail.account}, ${where} (multi-Region trails ` +
    `count in every Region), and CloudTrail allows ${MAX_TRAILS_PER_REGION}: deployment fails. Record the buckets of ` +
    'several stacks in one trail (BucketAuditing.trail(trail) or trail.addBucket()), or rely on an organisation trail.'];
}, 'name', { value: parse(__filename).name });

/** For each trail, the largest number of trails counted in a Region where it counts (memoised per validation). */
function trailsCounted(model: AppModel): Map<TrailModel, number> {
  return model.cached(model, 'trailsCounted', () => {
    const byAccount = new Map<string, TrailModel[]>();
    for (const t of model.allTrails()) {
      const list = byAccount.get(t.account);
      if (list) list.push(t);
      else byAccount.set(t.account, [t]);
    }
    const counts = new Map<TrailModel, number>();
    for (const trails of byAccount.values()) {
      const multi = trails.filter((t) => t.isMultiRegion).length;
      const single = new Map<string, number>();
      for (const t of trails) if (!t.isMultiRegion) single.set(t.region, (single.get(t.region) ?? 0) + 1);
      const worst = multi + Math.max(0, ...single.values());
      for (const t of trails) counts.set(t, t.isMultiRegion ? worst : multi + single.get(t.region)!);
    }
    return counts;
  });
}
