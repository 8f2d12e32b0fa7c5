import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readInputs, ReadTemplate } from '../../src/cli/templates';

// Requirement: every CloudFormation short-form tag, in scalar, sequence and mapping form, reads as its long form;
// an unknown tag is a problem at its position.

let dir: string;
let count = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-yaml-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(yaml: string): { template?: ReadTemplate; problems: ReturnType<typeof readInputs>['problems'] } {
  const file = path.join(dir, `template-${count++}.yaml`);
  fs.writeFileSync(file, yaml);
  const { groups, problems } = readInputs([file]);
  return { template: groups[0][0], problems };
}

/** The long form of a value written in a resource property. */
function property(value: string): unknown {
  const { template, problems } = read(`Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: ${value}\n`);
  expect(problems).toEqual([]);
  return (template!.template.Resources as any).R.Properties.P;
}

const TAGS = [
  'Ref', 'Condition',
  'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Not', 'Or', 'Select', 'Split', 'Sub', 'Transform',
  'ForEach', 'Length', 'ToJsonString',
  'Contains', 'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll',
];

describe.each(TAGS)('!%s', (tag) => {
  const long = tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`;

  test('scalar', () => {
    expect(property(`!${tag} Name`)).toEqual({ [long]: tag === 'GetAtt' ? ['Name'] : 'Name' });
  });
  test('sequence', () => {
    expect(property(`!${tag} [a, 1, true]`)).toEqual({ [long]: ['a', 1, true] });
  });
  test('mapping', () => {
    expect(property(`!${tag} { Name: a }`)).toEqual({ [long]: { Name: 'a' } });
  });
  test('block sequence, quoted scalar', () => {
    expect(property(`!${tag}\n        - '1'\n        - !Ref X`)).toEqual({ [long]: ['1', { Ref: 'X' }] });
  });
});

test.each<[string, unknown]>([
  // short form                                                long form
  ['!GetAtt Bucket.Arn', { 'Fn::GetAtt': ['Bucket', 'Arn'] }],
  ['!GetAtt Db.Endpoint.Address', { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] }],
  ['!GetAtt [Bucket, Arn]', { 'Fn::GetAtt': ['Bucket', 'Arn'] }],
  ["!Sub ['${A}-${B}', { B: !Ref Env }]", { 'Fn::Sub': ['${A}-${B}', { B: { Ref: 'Env' } }] }],
  ["!Join ['', [!GetAtt Bucket.Arn, '/*']]", { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }],
  ['!If [IsProd, !Ref A, !Ref AWS::NoValue]', { 'Fn::If': ['IsProd', { Ref: 'A' }, { Ref: 'AWS::NoValue' }] }],
  ['!Select [0, !GetAZs ""]', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
  ['!Cidr [!GetAtt Vpc.CidrBlock, 6, 5]', { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 6, 5] }],
  ['!Length [a, b]', { 'Fn::Length': ['a', 'b'] }],
  ['!ToJsonString { Key: !Ref K }', { 'Fn::ToJsonString': { Key: { Ref: 'K' } } }],
  ['!Contains [[a, b], !Ref Env]', { 'Fn::Contains': [['a', 'b'], { Ref: 'Env' }] }],
  ['!EachMemberIn [!ValueOfAll [AWS::EC2::Subnet::Id, VpcId], !RefAll AWS::EC2::VPC::Id]',
    { 'Fn::EachMemberIn': [{ 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'VpcId'] }, { 'Fn::RefAll': 'AWS::EC2::VPC::Id' }] }],
  ['!EachMemberEquals [!RefAll AWS::EC2::VPC::Id, vpc-1]', { 'Fn::EachMemberEquals': [{ 'Fn::RefAll': 'AWS::EC2::VPC::Id' }, 'vpc-1'] }],
  ['!ValueOf [Subnet, VpcId]', { 'Fn::ValueOf': ['Subnet', 'VpcId'] }],
  ["{ 'Fn::Sub': 'x-${AWS::Region}' }", { 'Fn::Sub': 'x-${AWS::Region}' }],
  ['&anchor !Ref X', { Ref: 'X' }],
])('%s', (short, long) => {
  expect(property(short)).toEqual(long);
});

test('short forms in every section: Rules, Conditions, Properties, Outputs', () => {
  const { template, problems } = read([
    'Rules:',
    '  ProdOnly:',
    '    RuleCondition: !Equals [!Ref Env, prod]',
    '    Assertions:',
    '      - Assert: !Contains [[m5.large], !Ref Size]',
    'Conditions:',
    '  IsProd: !Equals [!Ref Env, prod]',
    'Resources:',
    '  Bucket:',
    '    Type: AWS::S3::Bucket',
    '    Properties: !If [IsProd, { BucketName: prod }, !Ref AWS::NoValue]',
    'Outputs:',
    '  Zones:',
    '    Value: !Join [",", !GetAZs ""]',
    '  Blocks:',
    '    Value: !Select [0, !Cidr [10.0.0.0/16, 2, 8]]',
    '  First:',
    '    Value: !Select [0, !Split [",", !ImportValue shared-list]]',
  ].join('\n') + '\n');
  expect(problems).toEqual([]);
  expect(template!.template).toEqual({
    Rules: { ProdOnly: { RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, Assertions: [{ Assert: { 'Fn::Contains': [['m5.large'], { Ref: 'Size' }] } }] } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::If': ['IsProd', { BucketName: 'prod' }, { Ref: 'AWS::NoValue' }] } } },
    Outputs: {
      Zones: { Value: { 'Fn::Join': [',', { 'Fn::GetAZs': '' }] } },
      Blocks: { Value: { 'Fn::Select': [0, { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }] } },
      First: { Value: { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::ImportValue': 'shared-list' }] }] } },
    },
  });
  // A short form is found at the long form's path.
  expect(template!.locate(['Resources', 'Bucket', 'Properties', 'Fn::If', 1, 'BucketName'])).toEqual({ line: 11, column: 32 });
  expect(template!.locate(['Outputs', 'Blocks', 'Value', 'Fn::Select', 1, 'Fn::Cidr', 0])).toEqual({ line: 16, column: 31 });
});

test.each<[string, string, { line: number; column: number }]>([
  // value                          message                                  position
  ['!Tags [a, b]', 'malformed YAML: unknown tag !Tags', { line: 5, column: 10 }],
  ['{ Key: !Nope { a: 1 } }', 'malformed YAML: unknown tag !Nope', { line: 5, column: 17 }],
  ['!!binary aGVsbG8=', 'malformed YAML: unsupported tag !!binary', { line: 5, column: 19 }],
  ['!!timestamp 2001-12-14', 'malformed YAML: unsupported tag !!timestamp', { line: 5, column: 22 }],
  ['!Ref !Sub x', expect.stringMatching(/^malformed YAML: /) as unknown as string, { line: 5, column: 15 }],
])('%s is a problem', (value, message, position) => {
  const { template, problems } = read(`Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: ${value}\n`);
  expect(template).toBeUndefined();
  expect(problems).toEqual([{ file: expect.any(String), message, position }]);
});
