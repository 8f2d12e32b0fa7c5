import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readInputs, ReadTemplate } from '../../src/cli/templates';

// Requirement: Fn::ForEach (AWS::LanguageExtensions) is expanded in Resources, Conditions and Outputs where its
// collection is known: a literal list, or a Ref to a list parameter's Default. ${Id} and &{Id} are replaced in the
// keys, ${Id} in Fn::Sub strings, and { Ref: Id } by the item. A loop that cannot be expanded is left as written.

const FIXTURES = path.join(__dirname, 'fixtures', 'input');
let dir: string;
let count = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-for-each-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function readOne(file: string): ReadTemplate {
  const { groups, problems } = readInputs([file]);
  expect(problems).toEqual([]);
  return groups[0][0];
}

function json(template: unknown): ReadTemplate {
  const file = path.join(dir, `template-${count++}.json`);
  fs.writeFileSync(file, JSON.stringify(template, null, 2));
  return readOne(file);
}

const bucket = (properties: Record<string, unknown> = {}) => ({ Type: 'AWS::S3::Bucket', Properties: properties });

describe('for-each.yaml', () => {
  const read = () => readOne(path.join(FIXTURES, 'for-each.yaml'));

  test('Resources: a comma-delimited Default, a list Default and a nested loop with &{}; an SSM list is left as written', () => {
    const resources = read().template.Resources as Record<string, unknown>;
    expect(Object.keys(resources)).toEqual([
      'logsBucket', 'dataBucket',
      'Subneteuwest1apublic', 'Subneteuwest1aprivate', 'Subneteuwest1bpublic', 'Subneteuwest1bprivate',
      'Fn::ForEach::Unknown',
    ]);
    expect(resources.dataBucket).toEqual(bucket({ BucketName: { 'Fn::Sub': '${AWS::StackName}-data' }, Tags: [{ Key: 'name', Value: 'data' }] }));
    expect(resources.Subneteuwest1bprivate).toEqual({
      Type: 'AWS::EC2::Subnet',
      Properties: { AvailabilityZone: 'eu-west-1b', Tags: [{ Key: 'tier', Value: { 'Fn::Sub': 'tier-private-eu-west-1b' } }] },
    });
    expect(resources['Fn::ForEach::Unknown']).toEqual(['Name', { Ref: 'Secret' }, { '${Name}Copy': { Type: 'AWS::S3::Bucket' } }]);
  });

  test('Conditions and Outputs', () => {
    const { template } = read();
    expect(template.Conditions).toEqual({
      Isprod: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, 'prod'] },
      Isdev: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, 'dev'] },
    });
    expect(template.Outputs).toEqual({
      logsArn: { Value: { 'Fn::GetAtt': [{ 'Fn::Sub': 'logsBucket' }, 'Arn'] } },
      dataArn: { Value: { 'Fn::GetAtt': [{ 'Fn::Sub': 'dataBucket' }, 'Arn'] } },
    });
  });

  test.each<[Array<string | number>, { line: number; column: number }]>([
    // path in the expanded template                                               where it is written
    [['Resources', 'dataBucket'], { line: 23, column: 7 }],
    [['Resources', 'dataBucket', 'Properties', 'BucketName'], { line: 26, column: 11 }],
    [['Resources', 'dataBucket', 'Properties', 'Tags', 0, 'Value'], { line: 29, column: 15 }],
    [['Resources', 'Subneteuwest1bprivate'], { line: 36, column: 11 }],
    [['Resources', 'Subneteuwest1bprivate', 'Properties', 'AvailabilityZone'], { line: 39, column: 15 }],
    [['Resources', 'Fn::ForEach::Unknown'], { line: 41, column: 3 }],
    [['Conditions', 'Isdev'], { line: 18, column: 7 }],
  ])('%j is found where the loop writes it', (at, position) => {
    expect(read().locate(at)).toEqual(position);
  });
});

test('for-each.json: Fn::Sub in its list form, and positions in JSON', () => {
  const { template, locate } = readOne(path.join(FIXTURES, 'for-each.json'));
  expect(template.Resources).toEqual({
    Bucketa: bucket({ BucketName: { 'Fn::Sub': ['${Prefix}-a', { Prefix: { Ref: 'AWS::StackName' } }] } }),
    Bucketb: bucket({ BucketName: { 'Fn::Sub': ['${Prefix}-b', { Prefix: { Ref: 'AWS::StackName' } }] } }),
  });
  expect(locate(['Resources', 'Bucketb'])).toEqual({ line: 8, column: 9 });
  expect(locate(['Resources', 'Bucketb', 'Properties', 'BucketName', 'Fn::Sub', 1, 'Prefix'])).toEqual({ line: 11, column: 64 });
});

test.each<[string, unknown, unknown]>([
  // case                                   Resources as written                                                            Resources read
  ['a literal list of numbers',
    { 'Fn::ForEach::B': ['N', [1, 2], { 'B${N}': bucket() }] },
    { B1: bucket(), B2: bucket() }],
  ['&{} drops what is not alphanumeric',
    { 'Fn::ForEach::B': ['N', ['a-b.c', 'd/e'], { 'B&{N}': bucket({ BucketName: { 'Fn::Sub': '${N}' } }) }] },
    { Babc: bucket({ BucketName: { 'Fn::Sub': 'a-b.c' } }), Bde: bucket({ BucketName: { 'Fn::Sub': 'd/e' } }) }],
  ['only Ref and Fn::Sub are substituted, not plain strings or ${!Literal}',
    { 'Fn::ForEach::B': ['N', ['x'], { 'B${N}': bucket({ A: '${N}', B: { Ref: 'N' }, C: { 'Fn::Sub': '${!N}-${N}' }, D: { Ref: 'Other' } }) }] },
    { Bx: bucket({ A: '${N}', B: 'x', C: { 'Fn::Sub': '${!N}-x' }, D: { Ref: 'Other' } }) }],
  ['a loop inside Properties',
    { B: bucket({ 'Fn::ForEach::Tags': ['T', ['a', 'b'], { 'Tag${T}': { Ref: 'T' } }] }) },
    { B: bucket({ Taga: 'a', Tagb: 'b' }) }],
  ['an empty collection makes nothing',
    { 'Fn::ForEach::B': ['N', [], { 'B${N}': bucket() }], 'Other': bucket() },
    { Other: bucket() }],
  ['a collection from a function is left as written',
    { 'Fn::ForEach::B': ['N', { 'Fn::Split': [',', 'a,b'] }, { 'B${N}': bucket() }] },
    { 'Fn::ForEach::B': ['N', { 'Fn::Split': [',', 'a,b'] }, { 'B${N}': bucket() }] }],
  ['a Ref to a parameter without a list Type is left as written',
    { 'Fn::ForEach::B': ['N', { Ref: 'Plain' }, { 'B${N}': bucket() }] },
    { 'Fn::ForEach::B': ['N', { Ref: 'Plain' }, { 'B${N}': bucket() }] }],
  ['keys that collide are left as written',
    { 'Fn::ForEach::B': ['N', ['a', 'b'], { Same: bucket() }] },
    { 'Fn::ForEach::B': ['N', ['a', 'b'], { Same: bucket() }] }],
  ['a key made twice by two loops is left in the second',
    { 'Fn::ForEach::A': ['N', ['x'], { 'B${N}': bucket() }], 'Fn::ForEach::B': ['M', ['x'], { 'B${M}': bucket() }] },
    { 'Bx': bucket(), 'Fn::ForEach::B': ['M', ['x'], { 'B${M}': bucket() }] }],
  ['a loop that is not [identifier, collection, mapping] is left as written',
    { 'Fn::ForEach::B': ['N', ['a']] },
    { 'Fn::ForEach::B': ['N', ['a']] }],
  ['an inner loop that cannot be expanded leaves the outer one as written',
    { 'Fn::ForEach::O': ['O', ['a'], { 'Fn::ForEach::I': ['I', { Ref: 'Plain' }, { 'B${O}${I}': bucket() }] }] },
    { 'Fn::ForEach::O': ['O', ['a'], { 'Fn::ForEach::I': ['I', { Ref: 'Plain' }, { 'B${O}${I}': bucket() }] }] }],
])('%s', (_case, written, read) => {
  const { template } = json({ Transform: 'AWS::LanguageExtensions', Parameters: { Plain: { Type: 'String', Default: 'a,b' } }, Resources: written });
  expect(template.Resources).toEqual(read);
});

test('a loop that would copy more than a million nodes is left as written', () => {
  const items = Array.from({ length: 1_100 }, (_, i) => `i${i}`);
  const { template } = json({
    Resources: {
      'Fn::ForEach::O': ['O', items, { 'Fn::ForEach::I': ['I', items, { 'B${O}${I}': bucket() }] }],
      'Kept': bucket(),
    },
  });
  expect(Object.keys(template.Resources as object)).toEqual(['Fn::ForEach::O', 'Kept']);
});
