// Throughput of the `check` command's engine: templates and buckets per second over a synthesized cdk.out.
// Usage: npx projen bench:check   (BENCH_RUNS=5, BENCH_BUCKETS=500)
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { KINDS } from './fleet';
import { checkTemplates } from '../src/cli/check';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const buckets = Number(process.env.BENCH_BUCKETS ?? 500);
const perStack = 50;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Every bucket kind, 50 buckets per stack, synthesized to a cdk.out folder as CI would have it.
const outdir = mkdtempSync(join(tmpdir(), 'check-bench-'));
const app = new App({ outdir });
const stacks = Math.ceil(buckets / perStack);
for (let s = 0; s < stacks; s++) {
  const stack = new Stack(app, `Checked${s}`, { env: { account: '111111111111', region: 'eu-west-1' } });
  const kind = KINDS[s % KINDS.length];
  for (let b = 0; b < Math.min(perStack, buckets - s * perStack); b++) kind.library(stack, `Bucket${b}`);
}
app.synth();

checkTemplates([outdir]); // warm-up: module loading and the first pack run
const times: number[] = [];
let findings = 0;
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  findings = checkTemplates([outdir]).findings.length;
  times.push(performance.now() - start);
}
const ms = median(times);
process.stdout.write([
  `check over ${stacks} templates with ${buckets} buckets: median ${ms.toFixed(0)} ms of ${runs} runs`,
  `throughput: ${(stacks / (ms / 1000)).toFixed(1)} templates/s, ${(buckets / (ms / 1000)).toFixed(0)} buckets/s (${findings} findings)`,
  '',
].join('\n'));
rmSync(outdir, { recursive: true, force: true });
