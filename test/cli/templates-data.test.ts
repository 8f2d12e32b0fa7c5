import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readInputs, ReadTemplate } from '../../src/cli/templates';

// Requirement: what a template says is data. Logical IDs named after Object.prototype's members are resources like
// any other, `__proto__` changes no prototype, and a missing key is undefined whatever its name.

const FIXTURES = path.join(__dirname, 'fixtures', 'input');

function readOne(file: string): ReadTemplate {
  const { groups, problems } = readInputs([file]);
  expect(problems).toEqual([]);
  expect(groups).toHaveLength(1);
  expect(groups[0]).toHaveLength(1);
  return groups[0][0];
}

describe.each(['prototype-keys.json', 'prototype-keys.yaml'])('%s', (name) => {
  const read = () => readOne(path.join(FIXTURES, name));

  test('every logical ID is an own resource', () => {
    const resources = read().template.Resources as Record<string, { Type: string; Properties?: unknown }>;
    expect(Object.keys(resources)).toEqual(['constructor', 'toString', '__proto__', 'hasOwnProperty']);
    for (const id of Object.keys(resources)) {
      expect(Object.prototype.hasOwnProperty.call(resources, id)).toBe(true);
      expect(resources[id].Type).toBe('AWS::S3::Bucket');
    }
    expect(Object.getOwnPropertyDescriptor(resources, '__proto__')?.value).toEqual({ Type: 'AWS::S3::Bucket', Properties: { polluted: true } });
  });

  test('__proto__ changes no prototype', () => {
    const { template } = read();
    const resources = template.Resources as Record<string, unknown>;
    expect(Object.getPrototypeOf(resources)).toBeNull();
    expect(Object.getPrototypeOf(template)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a key the template does not have is undefined, whatever its name', () => {
    const { template } = read();
    // Looked up by a name held in a variable, as a checker looks up a Ref's target.
    const get = (data: unknown, key: string) => (data as Record<string, unknown>)[key];
    const resources = template.Resources;
    expect(get(resources, 'valueOf')).toBeUndefined();
    expect(get(get(resources, 'toString'), 'toString')).toBeUndefined();
    expect(get(get(resources, 'constructor'), 'Properties')).toBeUndefined();
    expect(get(template, 'constructor')).toBeUndefined();
  });

  test('positions are found by those names too', () => {
    const { locate } = read();
    expect(locate(['Resources', '__proto__'])).toEqual(name.endsWith('.json') ? { line: 5, column: 5 } : { line: 7, column: 3 });
    expect(locate(['Resources', 'valueOf'])).toBeUndefined();
  });
});

describe('encodings', () => {
  const yaml = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: { BucketName: café }\n';
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-data-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each<[string, Buffer]>([
    ['UTF-8', Buffer.from(yaml, 'utf8')],
    ['UTF-8 with a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(yaml, 'utf8')])],
    ['UTF-16 LE with a byte order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yaml, 'utf16le')])],
    ['UTF-16 BE with a byte order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(yaml, 'utf16le').swap16()])],
  ])('%s', (encoding, bytes) => {
    const file = path.join(dir, `${encoding.replace(/\W+/g, '-')}.yaml`);
    fs.writeFileSync(file, bytes);
    const read = readOne(file);
    expect(read.template.Resources).toEqual({ Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'café' } } });
    expect(read.locate(['Resources', 'Bucket', 'Properties', 'BucketName'])).toEqual({ line: 4, column: 19 });
  });

  test('UTF-16 without a byte order mark is not read as UTF-8', () => {
    const file = path.join(dir, 'utf16-no-bom.yaml');
    fs.writeFileSync(file, Buffer.from(yaml, 'utf16le'));
    expect(readInputs([file]).problems).toEqual([{ file, message: 'a binary file, not a template' }]);
  });
});

describe('file templates', () => {
  test.each([
    // file                   stack name
    ['long-forms.yaml', 'long-forms'],
    ['for-each.json', 'for-each'],
  ])('%s is the stack %s', (name, stackName) => {
    const read = readOne(path.join(FIXTURES, name));
    expect(read.file).toBe(path.join(FIXTURES, name));
    expect(read.stackName).toBe(stackName);
  });

  test('a YAML template in long forms reads as written', () => {
    const { template } = readOne(path.join(FIXTURES, 'long-forms.yaml'));
    expect(template).toEqual({
      Resources: {
        Data: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketName: { 'Fn::Join': ['-', ['data', { Ref: 'AWS::StackName' }]] },
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }],
            },
          },
        },
        Key: { Type: 'AWS::KMS::Key', Condition: 'IsProd' },
      },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } },
    });
  });
});
