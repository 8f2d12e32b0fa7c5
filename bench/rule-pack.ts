// S3EncryptionChecks against cdk-nag's AwsSolutionsChecks on the same app: `validateScope(app)` wall time, medians of
// several runs after a warm-up, runs of the two packs interleaved so that load on the machine hits both alike.
// Usage: npx ts-node --prefer-ts-exts bench/rule-pack.ts   (BENCH_BUCKETS=200, BENCH_RUNS=7, BENCH_PER_STACK=100)
import { cpus } from 'os';
import { performance } from 'perf_hooks';
import { App, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, UploadHeaderRule } from '../src';
import { EncryptionAuditTrail } from '../src/audit/encryption-audit-trail';
import { SseCOnlyBucket } from '../src/buckets/sse-c-only-bucket';
import { forgetSharedDecisions } from '../src/nag/properties';
import { S3EncryptionChecks } from '../src/nag/s3-encryption-checks';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const MAX_RESOURCES_PER_STACK = 500;

/** The bucket constructs of the library, in the order the fleet cycles through them. */
const MAKERS: Array<(scope: Stack, id: string) => s3.Bucket> = [
  (scope, id) => new EncryptedBucket(scope, id),
  (scope, id) => new KmsEncryptedBucket(scope, id),
  (scope, id) => new EncryptedBucket(scope, id, { uploadHeaderRule: UploadHeaderRule.REQUIRED, minimumTLSVersion: 1.3 }),
  (scope, id) => new KmsEncryptedBucket(scope, id, { dualLayer: true }),
  (scope, id) => new SseCOnlyBucket(scope, id),
  (scope, id) => new ClientSideEncryptedBucket(scope, id, { uploadHeaderRule: UploadHeaderRule.REQUIRED }),
];

/**
 * An app of `count` buckets of the library's constructs, `perStack` to a stack, each stack with its shared
 * EncryptionAuditTrail recording all of its buckets. Synthesized, as a CDK app is when the packs run.
 */
export function rulePackFleet(count: number, perStack: number): App {
  const app = new App();
  let stack: Stack | undefined;
  for (let i = 0; i < count; i++) {
    if (i % perStack === 0) stack = new Stack(app, `Fleet${i / perStack}`, { env: ENV });
    const bucket = MAKERS[i % MAKERS.length](stack!, `Bucket${i}`);
    EncryptionAuditTrail.of(stack!).addBucket(bucket);
  }
  const assembly = app.synth();
  for (const artifact of assembly.stacks) {
    const resources = Object.keys(artifact.template.Resources ?? {}).length;
    if (resources > MAX_RESOURCES_PER_STACK) throw new Error(`${artifact.stackName} has ${resources} resources`);
  }
  return app;
}

/** The standard the fleet is built to: every rule applies, the audit trail requirement included. */
export function fleetPack(): S3EncryptionChecks {
  return new S3EncryptionChecks(undefined, { allowSseC: true, requireAuditTrail: true });
}

type Pack = IPolicyValidationPlugin & { validateScope(scope: IConstruct): PolicyValidationPluginReport };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function time(pack: () => Pack, app: App): { ms: number; cpuMs: number; findings: number; properties: number; requests: number } {
  // Each run decides from scratch, as the first validation of a synth does.
  forgetSharedDecisions();
  const instance = pack();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const report = instance.validateScope(app);
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - start;
  // Properties the decision procedure answered (each a proof or a counterexample over a whole class of requests).
  const explained = instance instanceof S3EncryptionChecks ? instance.explanations() : [];
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    findings: report.violations.reduce((n, v) => n + v.violatingResources.length, 0),
    properties: explained.length,
    requests: explained.reduce((n, e) => n + e.requestsDecided, 0),
  };
}

/** Median wall times of both packs on an app of `count` buckets. */
export function benchRulePack(count: number, runs: number, perStack: number) {
  const app = rulePackFleet(count, perStack);
  const packs: Record<string, () => Pack> = { S3EncryptionChecks: fleetPack, AwsSolutionsChecks: () => new AwsSolutionsChecks() };
  const samples: Record<string, number[]> = { S3EncryptionChecks: [], AwsSolutionsChecks: [] };
  const cpuSamples: Record<string, number[]> = { S3EncryptionChecks: [], AwsSolutionsChecks: [] };
  const findings: Record<string, number> = {};
  let properties = 0;
  let requests = 0;
  for (const name of Object.keys(packs)) time(packs[name], app); // warm-up: module loading and JIT
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 === 0 ? Object.keys(packs) : Object.keys(packs).reverse()) {
      const { ms, cpuMs, findings: n, properties: p, requests: r } = time(packs[name], app);
      if (name === 'S3EncryptionChecks') {
        properties = p;
        requests = r;
      }
      samples[name].push(ms);
      cpuSamples[name].push(cpuMs);
      findings[name] = n;
    }
  }
  const ours = median(samples.S3EncryptionChecks);
  const theirs = median(samples.AwsSolutionsChecks);
  const oursCpu = median(cpuSamples.S3EncryptionChecks);
  const theirsCpu = median(cpuSamples.AwsSolutionsChecks);
  return {
    count,
    stacks: Math.ceil(count / perStack),
    runs,
    ours,
    theirs,
    ratio: ours / theirs,
    oursCpu,
    theirsCpu,
    cpuRatio: oursCpu / theirsCpu,
    findings,
    samples,
    properties,
    requests,
    propertiesPerSecond: properties / (ours / 1000),
  };
}

if (require.main === module) {
  const count = Number(process.env.BENCH_BUCKETS ?? 200);
  const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
  const perStack = Number(process.env.BENCH_PER_STACK ?? 100);
  const result = benchRulePack(count, runs, perStack);
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log(`App: ${result.count} buckets (EncryptedBucket, KmsEncryptedBucket SSE-KMS and DSSE-KMS, SseCOnlyBucket, ClientSideEncryptedBucket) in ` +
    `${result.stacks} stacks, each with an EncryptionAuditTrail; ${result.runs} runs per pack after a warm-up`);
  console.log(`S3EncryptionChecks  median ${fmt(result.ours)}  (${result.findings.S3EncryptionChecks} findings)  runs ${result.samples.S3EncryptionChecks.map(fmt).join(', ')}`);
  console.log(`AwsSolutionsChecks  median ${fmt(result.theirs)}  (${result.findings.AwsSolutionsChecks} findings)  runs ${result.samples.AwsSolutionsChecks.map(fmt).join(', ')}`);
  console.log(`CPU time medians: S3EncryptionChecks ${fmt(result.oursCpu)}, AwsSolutionsChecks ${fmt(result.theirsCpu)}`);
  console.log(`Ratio S3EncryptionChecks / AwsSolutionsChecks: wall ${result.ratio.toFixed(2)}, CPU ${result.cpuRatio.toFixed(2)} (goal: <= 0.5)`);
  console.log(`Properties decided per second: ${result.propertiesPerSecond.toFixed(0)} (${result.properties} properties per run, ` +
    `${result.requests} requests decided, each standing for a cell of its class)`);
  if (result.findings.S3EncryptionChecks !== 0) {
    console.error('S3EncryptionChecks reported findings on the library\'s own constructs');
    process.exitCode = 1;
  }
}
