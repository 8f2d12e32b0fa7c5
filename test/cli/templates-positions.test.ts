import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readInputs, ReadTemplate } from '../../src/cli/templates';

// Requirement: positions come from one index per file (line starts, and the offsets of keys recorded while parsing);
// finding one is a few map lookups, so a large template with thousands of findings is not read again per finding.
// TEMPLATES_BENCH_MB=50 runs the large-template test at 50 MB and prints the times.

let dir: string;
let count = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-positions-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(name: string, text: string): ReadTemplate {
  const file = path.join(dir, `${count++}-${name}`);
  fs.writeFileSync(file, text);
  const { groups, problems } = readInputs([file]);
  expect(problems).toEqual([]);
  return groups[0][0];
}

const JSON_TEMPLATE = [
  '{',
  '  "Resources": {',
  '    "Data": {"Type": "AWS::S3::Bucket",',
  '      "Properties": {',
  '        "BucketEncryption": {',
  '          "ServerSideEncryptionConfiguration": [',
  '            { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "aws:kms" } },',
  '            { "BucketKeyEnabled": true }',
  '          ]',
  '        },',
  '        "Tags": [{"Key": "a\\"b", "Value": "\\u0041"}]',
  '      }',
  '    },',
  '    "Escaped\\u0041": { "Type": "AWS::S3::Bucket" }',
  '  }',
  '}',
].join('\n');

const YAML_TEMPLATE = [
  'Resources:',
  '  Data:',
  '    Type: AWS::S3::Bucket',
  '    Properties:',
  '      BucketEncryption:',
  '        ServerSideEncryptionConfiguration:',
  '          - ServerSideEncryptionByDefault: { SSEAlgorithm: aws:kms }',
  '          - BucketKeyEnabled: true',
  '      Tags: [{ Key: "a\\"b", Value: A }]',
  '  "EscapedA": { Type: AWS::S3::Bucket }',
].join('\n') + '\n';

const SSE = ['Resources', 'Data', 'Properties', 'BucketEncryption', 'ServerSideEncryptionConfiguration'];

describe.each<[string, string, Array<[Array<string | number>, { line: number; column: number } | undefined]>]>([
  ['template.json', JSON_TEMPLATE, [
    [['Resources'], { line: 2, column: 3 }],
    [['Resources', 'Data'], { line: 3, column: 5 }],
    [['Resources', 'Data', 'Type'], { line: 3, column: 14 }],
    [['Resources', 'Data', 'Properties', 'BucketEncryption'], { line: 5, column: 9 }],
    [[...SSE], { line: 6, column: 11 }],
    [[...SSE, 0, 'ServerSideEncryptionByDefault', 'SSEAlgorithm'], { line: 7, column: 50 }],
    [[...SSE, '1', 'BucketKeyEnabled'], { line: 8, column: 15 }],
    [[...SSE, 2], undefined],
    [['Resources', 'Data', 'Properties', 'Tags', 0, 'Value'], { line: 11, column: 34 }],
    [['Resources', 'EscapedA'], { line: 14, column: 5 }],
    [['Resources', 'Missing'], undefined],
    [['Resources', 'Data', 'Properties', 'Missing', 'Deeper'], undefined],
  ]],
  ['template.yaml', YAML_TEMPLATE, [
    [['Resources'], { line: 1, column: 1 }],
    [['Resources', 'Data'], { line: 2, column: 3 }],
    [['Resources', 'Data', 'Type'], { line: 3, column: 5 }],
    [['Resources', 'Data', 'Properties', 'BucketEncryption'], { line: 5, column: 7 }],
    [[...SSE], { line: 6, column: 9 }],
    [[...SSE, 0, 'ServerSideEncryptionByDefault', 'SSEAlgorithm'], { line: 7, column: 46 }],
    [[...SSE, '1', 'BucketKeyEnabled'], { line: 8, column: 13 }],
    [[...SSE, 2], undefined],
    [['Resources', 'Data', 'Properties', 'Tags', 0, 'Value'], { line: 9, column: 29 }],
    [['Resources', 'EscapedA'], { line: 10, column: 3 }],
    [['Resources', 'Missing'], undefined],
    [['Resources', 'Data', 'Properties', 'Missing', 'Deeper'], undefined],
  ]],
])('%s', (name, text, cases) => {
  test.each(cases)('%j', (at, position) => {
    expect(read(name, text).locate(at)).toEqual(position);
  });

  test('the same answers in any order, asked many times', () => {
    const template = read(name, text);
    const answers = cases.map(([at]) => template.locate(at));
    for (let round = 0; round < 3; round++) {
      expect([...cases].reverse().map(([at]) => template.locate(at))).toEqual([...answers].reverse());
    }
  });
});

test('a large JSON template: every bucket and a property deep in each are found', () => {
  const megabytes = Number(process.env.TEMPLATES_BENCH_MB ?? 5);
  const buckets = Math.round(megabytes * 400); // 20,000 buckets in 50 MB
  const padding = Math.max(0, Math.floor((megabytes * 1024 * 1024) / buckets) - 260);
  const BUCKET_LINES = 9;
  const lines = ['{', ' "Resources": {'];
  for (let i = 0; i < buckets; i++) {
    lines.push(
      `  "Bucket${i}": {`,
      '   "Type": "AWS::S3::Bucket",',
      '   "Properties": {',
      '    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},',
      `    "BucketName": "bucket-${i}",`,
      `    "Tags": [${Array.from({ length: Math.floor(padding / 32) }, (_, t) => `{"Key": "t${t}", "Value": "v${t}"}`).join(', ')}]`,
      '   },',
      `   "Metadata": {"aws:cdk:path": "Stack/Bucket${i}/Resource"}`,
      `  }${i < buckets - 1 ? ',' : ''}`,
    );
  }
  lines.push(' }', '}');
  const file = path.join(dir, 'large.template.json');
  fs.writeFileSync(file, lines.join('\n'));

  let start = process.hrtime.bigint();
  const { groups, problems } = readInputs([file]);
  const readMs = Number(process.hrtime.bigint() - start) / 1e6;
  expect(problems).toEqual([]);
  const template = groups[0][0];

  start = process.hrtime.bigint();
  const found = Array.from({ length: buckets }, (_, i) => template.locate(['Resources', `Bucket${i}`]));
  const locateMs = Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  const deep = Array.from({ length: buckets }, (_, i) => template.locate(['Resources', `Bucket${i}`, 'Properties', 'BucketEncryption',
    'ServerSideEncryptionConfiguration', 0, 'ServerSideEncryptionByDefault', 'SSEAlgorithm']));
  const deepMs = Number(process.hrtime.bigint() - start) / 1e6;

  for (let i = 0; i < buckets; i++) {
    expect(found[i]).toEqual({ line: 3 + i * BUCKET_LINES, column: 3 });
    expect(deep[i]).toEqual({ line: 6 + i * BUCKET_LINES, column: 99 });
  }
  if (process.env.TEMPLATES_BENCH_MB !== undefined) {
    const size = (fs.statSync(file).size / 1024 / 1024).toFixed(1);
    process.stdout.write(`${size} MiB, ${buckets} buckets: read in ${readMs.toFixed(0)} ms; ${buckets} locate(Resources.<id>) in ${locateMs.toFixed(0)} ms; `
      + `${buckets} locate(...SSEAlgorithm) in ${deepMs.toFixed(0)} ms\n`);
  }
});
