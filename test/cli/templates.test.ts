import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError, lineOf, readTemplate } from '../../src/cli/templates';

// Reading templates, in process: the long forms the YAML short forms become, and line numbers.

function yaml(text: string) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'templates-')), 'template.yaml');
  fs.writeFileSync(file, text);
  return readTemplate(file, 'template');
}

describe('YAML short forms become long forms', () => {
  test.each([
    ['!Ref Name', { Ref: 'Name' }],
    ['!Condition IsProd', { Condition: 'IsProd' }],
    ['!GetAtt Bucket.Arn', { 'Fn::GetAtt': ['Bucket', 'Arn'] }],
    ['!GetAtt Db.Endpoint.Address', { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] }],
    ['!GetAtt [Bucket, Arn]', { 'Fn::GetAtt': ['Bucket', 'Arn'] }],
    ["!Sub '${Bucket.Arn}/*'", { 'Fn::Sub': '${Bucket.Arn}/*' }],
    ["!Sub ['${A}-${B}', { B: !Ref Env }]", { 'Fn::Sub': ['${A}-${B}', { B: { Ref: 'Env' } }] }],
    ["!Join ['', [!GetAtt Bucket.Arn, '/*']]", { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }],
    ['!If [IsProd, !Ref A, !Ref AWS::NoValue]', { 'Fn::If': ['IsProd', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] }],
    ['!ImportValue shared-key-arn', { 'Fn::ImportValue': 'shared-key-arn' }],
    ["!ImportValue !Sub '${Env}-key-arn'", undefined], // two tags on one node is not YAML: refused below
    ['!Select [0, !GetAZs ""]', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    ["!Split [',', !Ref List]", { 'Fn::Split': [',', { Ref: 'List' }] }],
    ['!FindInMap [Names, !Ref Env, Suffix]', { 'Fn::FindInMap': ['Names', { Ref: 'Env' }, 'Suffix'] }],
    ['!Base64 hello', { 'Fn::Base64': 'hello' }],
    ['!Equals [!Ref Env, prod]', { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }],
    ['!Not [!Condition IsProd]', { 'Fn::Not': [{ Condition: 'IsProd' }] }],
    ['!Cidr [!Ref Block, 6, 5]', { 'Fn::Cidr': [{ Ref: 'Block' }, 6, 5] }],
    ['!Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }', { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } }],
  ])('%s', (short, long) => {
    const text = `Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: ${short}\n`;
    if (long === undefined) {
      expect(() => yaml(text)).toThrow(InputError);
    } else {
      expect(yaml(text).template.Resources.R.Properties).toEqual({ BucketName: long });
    }
  });

  test('long forms and plain YAML are left as they are', () => {
    const t = yaml("Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: { 'Fn::Sub': 'x-${AWS::Region}' }\n      Tags: [{ Key: a, Value: '1.2' }]\n");
    expect(t.template.Resources.R.Properties).toEqual({ BucketName: { 'Fn::Sub': 'x-${AWS::Region}' }, Tags: [{ Key: 'a', Value: '1.2' }] });
  });

  test('an unknown tag is an error that names the line', () => {
    expect(() => yaml('Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Nope x\n'))
      .toThrow(/template\.yaml:5:\d+: malformed YAML: .*!Nope/);
  });

  test('a duplicate key is an error', () => {
    expect(() => yaml('Resources:\n  R:\n    Type: AWS::S3::Bucket\n  R:\n    Type: AWS::S3::Bucket\n')).toThrow(/malformed YAML: Map keys must be unique/);
  });
});

describe('lineOf', () => {
  test('finds a resource in the Resources section, not a same-named key before it', () => {
    const source = yaml('Conditions:\n  Data: !Equals [a, a]\nResources:\n  Other:\n    Type: AWS::S3::Bucket\n  Data:\n    Type: AWS::S3::Bucket\n');
    expect(lineOf(source, 'Data')).toBe(6);
    expect(lineOf(source, 'Missing')).toBeUndefined();
  });
});
