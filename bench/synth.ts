// Synth cost of each bucket construct against its hand-written equivalent, at 50, 200 and 500 buckets.
// Each measurement runs in a fresh process (peak memory is per process); medians of BENCH_RUNS runs.
// Usage: npx projen bench:synth   (BENCH_RUNS=3, BENCH_SIZES=50,200,500)
import { execFileSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { join } from 'path';
import { KINDS, MAX_RESOURCES_PER_STACK } from './fleet';

interface Sample {
  wallMs: number;
  maxRssMb: number;
  stacks: number;
  resourcesPerBucket: number;
  bytesPerBucket: number;
  perStack: number;
  templateBytes: number;
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? '50,200,500').split(',').map(Number);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function runWorker(kind: number, variant: string, count: number): Sample {
  const out = execFileSync(process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'synth-worker.ts'), String(kind), variant, String(count)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out);
}

const summarise = (samples: Sample[]): Sample => ({
  ...samples[0], wallMs: median(samples.map((s) => s.wallMs)), maxRssMb: median(samples.map((s) => s.maxRssMb)),
});

/** Library and baseline runs alternate, so that load from other processes falls on both alike. */
function measurePair(kind: number, count: number): { library: Sample; baseline: Sample } {
  const library: Sample[] = [];
  const baseline: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    library.push(runWorker(kind, 'library', count));
    baseline.push(runWorker(kind, 'baseline', count));
  }
  return { library: summarise(library), baseline: summarise(baseline) };
}

const rows: string[] = [];
const results: Record<string, unknown>[] = [];
for (const [index, kind] of KINDS.entries()) {
  const perBucket: Record<number, number> = {};
  for (const count of sizes) {
    const { library, baseline } = measurePair(index, count);
    perBucket[count] = library.wallMs / count;
    results.push({ kind: kind.name, count, library, baseline });
    rows.push(`| ${kind.name} | ${count} | ${library.stacks} | ${library.wallMs.toFixed(0)} | ${baseline.wallMs.toFixed(0)} | ` +
      `**${(library.wallMs / baseline.wallMs).toFixed(2)}x** | ${library.maxRssMb.toFixed(0)} | ${baseline.maxRssMb.toFixed(0)} | ` +
      `${(library.maxRssMb / baseline.maxRssMb).toFixed(2)}x | ${library.resourcesPerBucket} / ${baseline.resourcesPerBucket} | ` +
      `${library.bytesPerBucket} / ${baseline.bytesPerBucket} | ${(library.wallMs / count).toFixed(1)} | ${library.perStack} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const [smallest, largest] = [sizes[0], sizes[sizes.length - 1]];
  rows.push(`| ${kind.name} | growth | | | | | | | | | | per-bucket ms at ${largest} / at ${smallest}: **${(perBucket[largest] / perBucket[smallest]).toFixed(2)}x** | |`);
}

const table = [
  `Machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${runs} runs, medians; ` +
  `stacks hold at most ${MAX_RESOURCES_PER_STACK} resources.`,
  '',
  '| construct | buckets | stacks | synth ms (library) | synth ms (hand-written) | time ratio | peak MB (library) | peak MB (hand-written) | memory ratio | resources per bucket (lib / hand) | template bytes per bucket (lib / hand) | ms per bucket | buckets per stack |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
mkdirSync(join(__dirname, 'results'), { recursive: true });
writeFileSync(join(__dirname, 'results', 'synth.json'), JSON.stringify(results, null, 2));
writeFileSync(join(__dirname, 'results', 'synth.md'), `${table}\n`);
process.stdout.write(`${table}\n`);
