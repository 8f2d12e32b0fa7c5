// One measurement in a fresh process, so that peak memory belongs to this configuration alone.
// Usage: synth-worker <kind index> <library|baseline> <bucket count>
import { performance } from 'perf_hooks';
import { fleet, footprint, KINDS, MAX_RESOURCES_PER_STACK } from './fleet';

const [kindIndex, variant, countText] = process.argv.slice(2);
const kind = KINDS[Number(kindIndex)];
const make = variant === 'library' ? kind.library : kind.baseline;
const count = Number(countText);

const { resources, bytes, fixed } = footprint(make);
const perStack = Math.floor((MAX_RESOURCES_PER_STACK - fixed - 10) / resources);

const start = performance.now();
const assembly = fleet(make, count, perStack).synth();
const wallMs = performance.now() - start;

const templateBytes = assembly.stacks.reduce((sum, s) => sum + JSON.stringify(s.template).length, 0);
process.stdout.write(JSON.stringify({
  wallMs,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  stacks: assembly.stacks.length,
  resourcesPerBucket: resources,
  bytesPerBucket: bytes,
  perStack,
  templateBytes,
}));
