// S3EncryptionChecks against cdk-nag's AwsSolutionsChecks on the same app, each called as CDK's validation calls it
// after synthesis (`validate(context)`, with the written templates), wall time, medians of several runs after a
// warm-up, runs of the two packs interleaved so that load on the machine hits both alike. `validateScope(app)`, the
// direct call tests make, is measured too.
// Usage: npx ts-node --prefer-ts-exts bench/rule-pack.ts   (BENCH_BUCKETS=200, BENCH_RUNS=7, BENCH_PER_STACK=100)
import { cpus } from 'os';
import { performance } from 'perf_hooks';
import { App, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
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
export function rulePackFleet(count: number, perStack: number): { app: App; context: IPolicyValidationContext } {
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
  // What CDK's validation passes its plugins once the templates are written (core/lib/private/synthesis-validation).
  const stackTemplates = assembly.stacks.map((s) => ({
    stackConstructPath: s.hierarchicalId, templatePath: s.templateFullPath, accountId: ENV.account, region: ENV.region,
  }));
  return { app, context: { templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates, appConstruct: app } };
}

/** The standard the fleet is built to: every rule applies, the audit trail requirement included. */
export function fleetPack(): S3EncryptionChecks {
  return new S3EncryptionChecks(undefined, { allowSseC: true, requireAuditTrail: true });
}

type Pack = IPolicyValidationPlugin & { validateScope(scope: IConstruct): PolicyValidationPluginReport };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** How a pack is called: by CDK's validation after synthesis, or directly on the construct tree. */
type Call = 'validate' | 'validateScope';

interface Timed { ms: number; cpuMs: number; findings: number; properties: number; requests: number }

function time(pack: () => Pack, fleet: { app: App; context: IPolicyValidationContext }, call: Call): Timed {
  // Each run decides from scratch, as the first validation of a synth does.
  forgetSharedDecisions();
  const instance = pack();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const report = call === 'validate' ? instance.validate(fleet.context) : instance.validateScope(fleet.app);
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

interface Measured { median: number; cpuMedian: number; samples: number[]; findings: number }

/** Median wall and CPU times of both packs on an app of `count` buckets, called each way. */
export function benchRulePack(count: number, runs: number, perStack: number) {
  const fleet = rulePackFleet(count, perStack);
  const packs: Record<string, () => Pack> = { S3EncryptionChecks: fleetPack, AwsSolutionsChecks: () => new AwsSolutionsChecks() };
  const calls: Call[] = ['validate', 'validateScope'];
  const runsOf = Object.keys(packs).flatMap((name) => calls.map((call) => ({ name, call, key: `${name} ${call}` })));
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const findings: Record<string, number> = {};
  let properties = 0;
  let requests = 0;
  for (const { name, call } of runsOf) time(packs[name], fleet, call); // warm-up: module loading and JIT
  for (let i = 0; i < runs; i++) {
    for (const { name, call, key } of i % 2 === 0 ? runsOf : [...runsOf].reverse()) {
      const { ms, cpuMs, findings: n, properties: p, requests: r } = time(packs[name], fleet, call);
      if (name === 'S3EncryptionChecks' && call === 'validate') {
        properties = p;
        requests = r;
      }
      (wall[key] ??= []).push(ms);
      (cpu[key] ??= []).push(cpuMs);
      findings[key] = n;
    }
  }
  const measured = (key: string): Measured => ({
    median: median(wall[key]), cpuMedian: median(cpu[key]), samples: wall[key], findings: findings[key],
  });
  const ratios = (call: Call) => {
    const ours = measured(`S3EncryptionChecks ${call}`);
    const theirs = measured(`AwsSolutionsChecks ${call}`);
    return { call, ours, theirs, ratio: ours.median / theirs.median, cpuRatio: ours.cpuMedian / theirs.cpuMedian };
  };
  const byValidate = ratios('validate');
  return {
    count,
    stacks: Math.ceil(count / perStack),
    runs,
    results: calls.map(ratios),
    properties,
    requests,
    propertiesPerSecond: properties / (byValidate.ours.median / 1000),
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
    `${result.stacks} stacks, each with an EncryptionAuditTrail; ${result.runs} runs per pack and call after a warm-up`);
  for (const { call, ours, theirs, ratio, cpuRatio } of result.results) {
    const how = call === 'validate' ? 'validate(context), as CDK calls it after synthesis' : 'validateScope(app), the direct call';
    console.log(`${how}:`);
    console.log(`  S3EncryptionChecks  median ${fmt(ours.median)}  CPU ${fmt(ours.cpuMedian)}  (${ours.findings} findings)  runs ${ours.samples.map(fmt).join(', ')}`);
    console.log(`  AwsSolutionsChecks  median ${fmt(theirs.median)}  CPU ${fmt(theirs.cpuMedian)}  (${theirs.findings} findings)  runs ${theirs.samples.map(fmt).join(', ')}`);
    console.log(`  Ratio S3EncryptionChecks / AwsSolutionsChecks: wall ${ratio.toFixed(2)}, CPU ${cpuRatio.toFixed(2)}${call === 'validate' ? ' (goal: <= 0.5)' : ''}`);
  }
  console.log(`Properties decided per second: ${result.propertiesPerSecond.toFixed(0)} (${result.properties} properties per run, ` +
    `${result.requests} requests decided, each standing for a cell of its class)`);
  if (result.results.some((r) => r.ours.findings !== 0)) {
    console.error('S3EncryptionChecks reported findings on the library\'s own constructs');
    process.exitCode = 1;
  }
}
