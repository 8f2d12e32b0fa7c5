import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import '@microsoft/jest-sarif';
import { DOMParser } from '@xmldom/xmldom';
import { App, Stack } from 'aws-cdk-lib';
import { buildCli, cli, cliJson, removeCli } from './build-cli';
import { EncryptedBucket } from '../../src';

// `check` on what CloudFormation deploys and on inputs nobody should have written: template features CfnInclude
// refused, a mixed list reported whole in every format, and what the command loads to start.

const FEATURES = 'test/cli/fixtures/features';
const FIXTURES = 'test/cli/fixtures';
let main: string;
let tmp: string;
let assembly: string;

beforeAll(() => {
  main = buildCli();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-s3-encryption-inputs-'));
  assembly = path.join(tmp, 'assembly');
  const app = new App({ outdir: assembly });
  new EncryptedBucket(new Stack(app, 'Assembled'), 'Data');
  app.synth();
});

afterAll(() => {
  removeCli(main);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => cli(main, args);
const json = (...args: string[]) => cliJson(main, args);

describe('template features the pack does not judge are read, and the bucket beside them is judged', () => {
  test.each([
    ['language-extensions.yaml', 'Transform AWS::LanguageExtensions: Fn::ForEach, Fn::Length, Fn::ToJsonString', 5],
    ['rules-section.yaml', 'the Rules section with Contains, EachMemberEquals, EachMemberIn, RefAll, ValueOf, ValueOfAll', 2],
    ['outputs-intrinsics.yaml', 'GetAZs, Cidr, Split in Outputs; Properties: !If; "True" for a boolean', 4],
    ['sam.yaml', 'the SAM transform, with a Ref to the role SAM generates', 4],
    ['module.yaml', 'a CloudFormation module', 3],
  ])('%s (%s)', (file, _what, resources) => {
    const { status, report } = json('check', `${FEATURES}/${file}`, '--explain');
    expect(report.errors).toEqual([]);
    expect(report.templates).toEqual([expect.objectContaining({ resources })]);
    expect(status).toBe(0);
    // Judged, not skipped: the bucket's TLS property was proved.
    expect(report.explanations).toContainEqual(expect.objectContaining({ logicalId: 'Data', property: 'TLS only', verdict: 'proof' }));
  });

  test('a Fn::ForEach whose collection is not known, around a bucket, is a finding at its place, not a refusal', () => {
    const file = path.join(tmp, 'unknown-collection.yaml');
    fs.writeFileSync(file, [
      'Transform: AWS::LanguageExtensions',
      'Parameters:',
      '  Names: { Type: "AWS::SSM::Parameter::Value<List<String>>", Default: /buckets }',
      'Resources:',
      '  Fn::ForEach::Buckets:',
      '    - Name',
      '    - !Ref Names',
      '    - Bucket${Name}:',
      '        Type: AWS::S3::Bucket',
      '',
    ].join('\n'));
    const { status, report } = json('check', file);
    expect(report.errors).toEqual([]);
    expect(status).toBe(1);
    expect(report.findings).toEqual([expect.objectContaining({
      ruleId: 'S3Encryption-TemplateEvaluated',
      logicalId: 'Fn::ForEach::Buckets',
      line: 5,
      column: 3,
      message: expect.stringMatching(/^Could not evaluate Fn::ForEach::Buckets: .* the AWS::S3::Bucket resources it creates cannot be judged/),
    })]);
  });

  test('logical IDs named after Object.prototype members are plain data', () => {
    const { report } = json('check', `${FEATURES}/prototype-names.json`);
    expect(report.errors).toEqual([]);
    const judged = new Set(report.findings.map((f: any) => f.logicalId));
    expect(judged).toEqual(new Set(['__proto__', 'constructor']));
    // The policy that names `constructor` by Ref is its policy: plain HTTP is denied for it, not for `__proto__`.
    const tls = report.findings.filter((f: any) => f.ruleId === 'S3Encryption-TlsOnlyEnforced').map((f: any) => f.logicalId);
    expect(tls).toEqual(['__proto__']);
  });
});

describe('a bucket without BucketEncryption has SSE-S3, S3\'s default', () => {
  const bare = () => {
    const file = path.join(tmp, 'bare.yaml');
    fs.writeFileSync(file, 'Resources:\n  Bare:\n    Type: AWS::S3::Bucket\n');
    return file;
  };

  test('allowed where SSE-S3 is', () => {
    expect(json('check', bare()).report.findings.map((f: any) => f.ruleId)).not.toContain('S3Encryption-DefaultEncryptionAllowed');
  });

  test('a finding under --kms-only that says why', () => {
    const finding = json('check', bare(), '--kms-only').report.findings.find((f: any) => f.ruleId === 'S3Encryption-DefaultEncryptionAllowed');
    expect(finding.message).toMatch(/no default encryption .*SSE-S3 \(S3's default since January 2023\), which the standard does not allow/);
  });
});

describe('one report for a mixed list: good, bad, unreadable, a directory, a cloud assembly', () => {
  const inputs = () => [
    `${FIXTURES}/good.json`, `${FIXTURES}/bad.json`, `${FIXTURES}/malformed.yaml`, `${FIXTURES}/missing.json`, FIXTURES, assembly,
  ];
  const unreadable = [`${FIXTURES}/malformed.yaml`, `${FIXTURES}/missing.json`, FIXTURES];

  test('text: every unreadable input named with its problem, every readable one judged; exit 2', () => {
    const { status, stdout, stderr } = run('check', ...inputs());
    expect(status).toBe(2);
    expect(stderr).toBe('cdk-s3-encryption: 3 inputs could not be read (see the report)\n');
    const unreadableBlock = stdout.slice(0, stdout.indexOf('\n\n'));
    expect(unreadableBlock).toMatch(/^Could not read:\n {2}test\/cli\/fixtures\/malformed\.yaml:\d+:\d+: malformed YAML: /);
    expect(unreadableBlock).toMatch(/\n {2}test\/cli\/fixtures\/missing\.json: no such file or directory/);
    expect(unreadableBlock).toMatch(/\n {2}test\/cli\/fixtures: a directory without manifest\.json/);
    expect(stdout).toMatch(/S3Encryption-TlsOnlyEnforced\s+test\/cli\/fixtures\/bad\.json:4:\d+\s+Logs/);
    expect(stdout).toMatch(/ in 3 templates, \d+ resources; 3 inputs could not be read\.\n$/);
  });

  test('json: errors with file, line and column, and the judged templates', () => {
    const { status, report } = json('check', ...inputs());
    expect(status).toBe(2);
    expect(report.errors.map((e: any) => e.file)).toEqual(unreadable);
    expect(report.errors[0]).toEqual({ file: unreadable[0], line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(/^malformed YAML/) });
    expect(report.templates.map((t: any) => t.stack)).toEqual(['good', 'bad', 'Assembled']);
    expect(report.summary).toMatchObject({ templates: 3, unreadable: 3 });
  });

  test('sarif: valid SARIF 2.1.0; a tool execution notification and an error-level result per unreadable input', () => {
    const { status, stdout } = run('check', ...inputs(), '--format', 'sarif');
    expect(status).toBe(2);
    const sarif = JSON.parse(stdout);
    expect(sarif).toBeValidSarifLog();
    const [run0] = sarif.runs;
    expect(run0.invocations).toHaveLength(1);
    expect(run0.invocations[0].executionSuccessful).toBe(false);
    const notified = run0.invocations[0].toolExecutionNotifications.map((n: any) => n.locations[0].physicalLocation.artifactLocation.uri);
    expect(notified).toEqual(unreadable.map(encodeURI));
    const readResults = run0.results.filter((r: any) => r.ruleId === 'S3Encryption-InputReadable');
    expect(readResults.map((r: any) => [r.level, r.locations[0].physicalLocation.artifactLocation.uri])).toEqual(unreadable.map((f) => ['error', encodeURI(f)]));
    expect(run0.results.some((r: any) => r.ruleId === 'S3Encryption-TlsOnlyEnforced')).toBe(true);
  });

  test('sarif of a clean run and of suppressed findings is valid SARIF 2.1.0 too', () => {
    expect(JSON.parse(run('check', `${FIXTURES}/good.json`, '--format', 'sarif').stdout)).toBeValidSarifLog();
    expect(JSON.parse(run('check', `${FIXTURES}/acknowledged.yaml`, `${FIXTURES}/parameters.yaml`, '--format', 'sarif').stdout)).toBeValidSarifLog();
  });

  test('junit: well-formed XML; a failure per finding, an error per unreadable input, a suite per template', () => {
    const { status, stdout } = run('check', ...inputs(), '--format', 'junit');
    expect(status).toBe(2);
    const errors: string[] = [];
    const document = new DOMParser({ onError: (level, message) => { errors.push(`${level}: ${message}`); } }).parseFromString(stdout, 'text/xml');
    expect(errors).toEqual([]);
    const root = document.documentElement!;
    expect(root.nodeName).toBe('testsuites');
    const suites = Array.from(root.getElementsByTagName('testsuite'));
    expect(suites).toHaveLength(3 + 3);
    const failures = Array.from(root.getElementsByTagName('failure'));
    const { report } = json('check', ...inputs());
    expect(failures).toHaveLength(report.findings.length);
    expect(Number(root.getAttribute('failures'))).toBe(report.findings.length);
    const errorCases = Array.from(root.getElementsByTagName('error')).map((e) => e.getAttribute('message'));
    expect(errorCases).toHaveLength(3);
    expect(errorCases).toContain('no such file or directory');
    expect(Number(root.getAttribute('errors'))).toBe(3);
  });
});

describe('hostile input ends with a report, never a stack trace or a hang', () => {
  test.each([
    ['JSON nested 10,000 levels', () => `{"Resources": {"R": {"Type": "AWS::S3::Bucket", "Properties": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`],
    ['a YAML alias bomb', () => ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'Resources: {}'].join('\n')],
    ['a manifest that is null', () => 'null'],
  ])('%s', (what, text) => {
    const isManifest = what.includes('manifest');
    const target = isManifest ? fs.mkdtempSync(path.join(tmp, 'assembly-')) : path.join(tmp, `hostile-${what.length}.${what.includes('YAML') ? 'yaml' : 'json'}`);
    fs.writeFileSync(isManifest ? path.join(target, 'manifest.json') : target, text());
    const result = spawnSync(process.execPath, [main, 'check', target], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^Could not read:\n {2}\S+: \S/);
    expect(result.stdout + result.stderr).not.toMatch(/\bat \S+ \(|RangeError|ReferenceError|TypeError/);
  });
});

describe('start-up', () => {
  test('the check engine loads neither aws-cdk-lib nor cdk-nag', () => {
    const check = path.join(path.dirname(main), 'check.js');
    const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(check)}); ` +
      'console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/](aws-cdk-lib|cdk-nag|constructs)[\\\\/]/.test(k))))'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});

test('a bucket whose Properties is an Fn::If that may be AWS::NoValue is judged in each case, not a crash', () => {
  const file = path.join(tmp, 'properties-if.yaml');
  fs.writeFileSync(file, [
    'Parameters:',
    '  Env: { Type: String, AllowedValues: [prod, test] }',
    'Conditions:',
    '  IsProd: !Equals [!Ref Env, prod]',
    'Resources:',
    '  Data:',
    '    Type: AWS::S3::Bucket',
    '    Properties: !If',
    '      - IsProd',
    '      - BucketEncryption:',
    '          ServerSideEncryptionConfiguration:',
    '            - ServerSideEncryptionByDefault: { SSEAlgorithm: aws:kms }',
    '      - !Ref AWS::NoValue',
    '',
  ].join('\n'));
  const { status, report } = json('check', file, '--kms-only');
  expect(report.errors).toEqual([]);
  expect(status).toBe(1);
  const encryption = report.findings.find((f: any) => f.ruleId === 'S3Encryption-DefaultEncryptionAllowed');
  expect(encryption.message).toMatch(/When parameter Env = "test".*no default encryption/);
  expect(report.findings.find((f: any) => f.ruleId === 'S3Encryption-KmsKeyCustomerManaged').message).toMatch(/When parameter Env = "prod"/);
});
