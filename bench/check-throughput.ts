// Throughput of the `check` command: buckets per second for one large template, for a list of 200 small files and for
// a synthesized cdk.out of the library's buckets, and the time to check one small file from a cold start (the built
// command, `lib/cli/main.js`, against bare `node` started the same way, measured in the same run).
// Usage: npx projen compile && npx projen bench:check   (BENCH_RUNS=5, BENCH_LARGE=5000, BENCH_FILES=200)
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { KINDS } from './fleet';
import { checkTemplates } from '../src/cli/check';
import { forgetSharedDecisions } from '../src/nag/properties';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const largeBuckets = Number(process.env.BENCH_LARGE ?? 5000);
const files = Number(process.env.BENCH_FILES ?? 200);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'check-bench-'));

/** A compliant SSE-S3 bucket and its policy, written as people write templates (GetAtt, Sub). */
function bucketResources(i: number): Record<string, unknown> {
  const arn = { 'Fn::GetAtt': [`Bucket${i}`, 'Arn'] };
  const objects = { 'Fn::Sub': `\${Bucket${i}.Arn}/*` };
  const deny = (sid: string, action: string, resource: unknown, condition: unknown) => ({
    Sid: sid, Effect: 'Deny', Principal: { AWS: '*' }, Action: action, Resource: resource, Condition: condition,
  });
  return {
    [`Bucket${i}`]: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
          }],
        },
      },
    },
    [`Bucket${i}Policy`]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: `Bucket${i}` },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            deny('DenyInsecureTransport', 's3:*', [arn, objects], { Bool: { 'aws:SecureTransport': 'false' } }),
            deny('DenyOutdatedTls', 's3:*', [arn, objects], { NumericLessThan: { 's3:TlsVersion': '1.2' } }),
            deny('DenyWrongEncryptionHeader', 's3:PutObject', objects, { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } }),
          ],
        },
      },
    },
  };
}

function template(first: number, count: number): string {
  const resources: Record<string, unknown> = {};
  for (let i = first; i < first + count; i++) Object.assign(resources, bucketResources(i));
  return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }, null, 1);
}

function time(paths: string[]): { ms: number; findings: number; errors: number } {
  checkTemplates(paths); // warm-up: module loading and JIT
  const times: number[] = [];
  let findings = 0;
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    forgetSharedDecisions(); // decide from scratch, as a run of the command does
    const start = performance.now();
    const report = checkTemplates(paths);
    times.push(performance.now() - start);
    findings = report.findings.length;
    errors = report.errors.length;
  }
  return { ms: median(times), findings, errors };
}

const lines: string[] = [];
const rate = (buckets: number, ms: number) => `${(buckets / (ms / 1000)).toFixed(0)} buckets/s`;

// One large template.
const large = join(dir, 'large.json');
writeFileSync(large, template(0, largeBuckets));
const l = time([large]);
lines.push(`one template, ${largeBuckets} buckets: median ${l.ms.toFixed(0)} ms, ${rate(largeBuckets, l.ms)} (${l.findings} findings, ${l.errors} errors)`);

// Many small files.
const small: string[] = [];
for (let f = 0; f < files; f++) {
  const file = join(dir, `small-${f}.json`);
  writeFileSync(file, template(f, 1));
  small.push(file);
}
const s = time(small);
lines.push(`${files} files, 1 bucket each: median ${s.ms.toFixed(0)} ms, ${rate(files, s.ms)} (${s.findings} findings, ${s.errors} errors)`);

// A synthesized cdk.out of the library's buckets (every kind, 50 per stack).
const outdir = join(dir, 'cdk.out');
const app = new App({ outdir });
const synthesized = 500;
for (let st = 0; st < synthesized / 50; st++) {
  const stack = new Stack(app, `Checked${st}`, { env: { account: '111111111111', region: 'eu-west-1' } });
  const kind = KINDS[st % KINDS.length];
  for (let b = 0; b < 50; b++) kind.library(stack, `Bucket${b}`);
}
app.synth();
const c = time([outdir]);
lines.push(`cdk.out of the library's buckets, ${synthesized} buckets in ${synthesized / 50} stacks: median ${c.ms.toFixed(0)} ms, ` +
  `${rate(synthesized, c.ms)} (${c.findings} findings)`);

// Cold start of the built command on one small file, against bare node.
const main = join(__dirname, '..', 'lib', 'cli', 'main.js');
if (existsSync(main)) {
  const wall = (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < Math.max(runs, 7); i++) {
      const start = performance.now();
      spawnSync(process.execPath, args, { stdio: 'ignore' });
      samples.push(performance.now() - start);
    }
    return median(samples);
  };
  const bare = wall(['-e', '0']);
  const cold = wall([main, 'check', small[0]]);
  lines.push(`cold start, one small file: median ${cold.toFixed(0)} ms (bare node ${bare.toFixed(0)} ms; ratio ${(cold / bare).toFixed(1)}x)`);
  // Whole processes, as CI runs the command: start-up, reading, judging and output included.
  const filesProcess = wall([main, 'check', ...small]);
  lines.push(`one process over the ${files} files: median ${filesProcess.toFixed(0)} ms, ${rate(files, filesProcess)}`);
  const largeProcess = wall([main, 'check', large]);
  lines.push(`one process over the large template: median ${largeProcess.toFixed(0)} ms, ${rate(largeBuckets, largeProcess)}`);
} else {
  lines.push('cold start: lib/cli/main.js is not built (run npx projen compile first)');
}
process.stdout.write(lines.join('\n') + '\n');
rmSync(dir, { recursive: true, force: true });
