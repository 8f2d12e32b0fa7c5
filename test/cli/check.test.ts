import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildCli, cli, cliJson, removeCli } from './build-cli';
import { EncryptedBucket, KmsEncryptedBucket } from '../../src';
import { S3EncryptionChecks } from '../../src/nag/s3-encryption-checks';
import { TEST_ENV } from '../harness/cfn-resolve';

// `cdk-s3-encryption check` as a process, on the fixtures in test/cli/fixtures and on cloud assemblies and
// templates the tests generate. See build-cli.ts for how the command is built.

const FIXTURES = 'test/cli/fixtures';
const fixture = (name: string) => `${FIXTURES}/${name}`;
let main: string;
let tmp: string;

beforeAll(() => {
  main = buildCli();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-s3-encryption-cli-test-'));
});

afterAll(() => {
  removeCli(main);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => cli(main, args);
const json = (...args: string[]) => cliJson(main, args);

describe('the built command', () => {
  test('keeps the shebang, so npm can link it as the package bin', () => {
    expect(fs.readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('--help lists the check command, exit 0', () => {
    const result = run('check', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: cdk-s3-encryption check \[options\] <paths\.\.\.>/);
    expect(result.stdout.replace(/\s+/g, ' ')).toMatch(/--format <format> output format \(choices: "text", "json", "sarif", "junit", default: "text"\)/);
  });
});

describe('exit codes', () => {
  test('0 for a compliant template (JSON), with a one-line summary', () => {
    const result = run('check', fixture('good.json'));
    expect(result).toMatchObject({ status: 0, stdout: 'No findings: checked 1 template, 2 resources.\n', stderr: '' });
  });

  test('1 for a template with findings', () => {
    expect(run('check', fixture('bad.json')).status).toBe(1);
  });

  test('1 when one of several inputs has findings', () => {
    expect(run('check', fixture('good.json'), fixture('bad.json')).status).toBe(1);
  });

  test.each([
    ['malformed JSON', [fixture('malformed.json')], /\n {2}test\/cli\/fixtures\/malformed\.json:3:42: malformed JSON: expected a key in double quotes\n/],
    ['malformed YAML', [fixture('malformed.yaml')], /\n {2}test\/cli\/fixtures\/malformed\.yaml:\d+:\d+: malformed YAML: /],
    ['a file that is not a template', [fixture('not-a-template.yaml')], /not-a-template\.yaml: not a CloudFormation template: no Resources section/],
    ['a missing file', [fixture('missing.json')], /test\/cli\/fixtures\/missing\.json: no such file or directory/],
    ['a directory that is not a cloud assembly', [FIXTURES], /test\/cli\/fixtures: a directory without manifest\.json/],
  ])('2 for %s, reported with the file and the problem', (_what, paths, message) => {
    const result = run('check', ...paths);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^Could not read:\n/);
    expect(result.stdout).toMatch(message);
    expect(result.stderr).toBe('cdk-s3-encryption: 1 input could not be read (see the report)\n');
  });

  test('a bad input among good ones: every other file is still checked and reported, then exit 2', () => {
    const { status, report } = json('check', fixture('good.json'), fixture('malformed.json'), fixture('bad.json'));
    expect(status).toBe(2);
    expect(report.errors).toEqual([{ file: fixture('malformed.json'), line: 3, column: 42, message: expect.stringMatching(/^malformed JSON/) }]);
    expect(report.templates.map((t: any) => t.file)).toEqual([fixture('good.json'), fixture('bad.json')]);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.summary.unreadable).toBe(1);
  });

  test('a template CloudFormation would reject (a Ref to no resource) is still read, and its policy judged', () => {
    const result = run('check', fixture('dangling-reference.yaml'));
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  test.each([
    ['no paths', ['check'], /missing required argument 'paths'/],
    ['an unknown option', ['check', fixture('good.json'), '--strict'], /unknown option '--strict'/],
    ['an unknown format', ['check', fixture('good.json'), '--format', 'xml'], /argument 'xml' is invalid\. Allowed choices are text, json, sarif, junit/],
    ['TLS 1.1 as the floor', ['check', fixture('good.json'), '--min-tls', '1.1'], /option '--min-tls <version>' argument '1\.1' is invalid\. use 1\.2 or 1\.3/],
    ['a key id instead of an ARN', ['check', fixture('good.json'), '--allowed-key-arn', '1234abcd'], /'1234abcd' is not an ARN/],
    ['an unknown command', ['lint', fixture('good.json')], /unknown command 'lint'/],
    ['a missing config file', ['check', fixture('good.json'), '--config', fixture('nope.json')], /nope\.json: cannot read the config file \(no such file\)/],
    ['an unknown key in the config file', ['check', fixture('good.json'), '--config', fixture('unknown-key.standard.json')],
      /unknown-key\.standard\.json: unknown key 'minTls': the standard has allowedEncryption, allowSseC/],
    ['a malformed config file', ['check', fixture('good.json'), '--config', fixture('malformed.json')], /malformed\.json: malformed JSON/],
  ])('2 for bad usage: %s', (_what, args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('YAML with short-form intrinsics', () => {
  test('is read: the compliant bucket passes, the bare one is found at its line', () => {
    const { status, report } = json('check', fixture('short-forms.yaml'));
    expect(status).toBe(1);
    const text = fs.readFileSync(fixture('short-forms.yaml'), 'utf8').split('\n');
    const line = text.findIndex((l) => l === '  Scratch:') + 1;
    expect(report.templates).toEqual([{ file: fixture('short-forms.yaml'), stack: 'short-forms', resources: 3 }]);
    expect(new Set(report.findings.map((f: any) => `${f.logicalId}:${f.line}`))).toEqual(new Set([`Scratch:${line}`]));
    expect(report.findings.map((f: any) => f.ruleId)).toEqual(expect.arrayContaining([
      'S3Encryption-TlsOnlyEnforced', 'S3Encryption-UploadHeaderEnforced', 'S3Encryption-SseCBlockedUnlessRequired',
    ]));
    // No BucketEncryption is SSE-S3, which the default standard allows.
    expect(report.findings.map((f: any) => f.ruleId)).not.toContain('S3Encryption-DefaultEncryptionAllowed');
  });
});

describe('output formats', () => {
  test('text: a table with level, rule, template:line, logical ID and finding, then a summary', () => {
    const { stdout } = run('check', fixture('bad.json'));
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^LEVEL\s+RULE\s+TEMPLATE\s+LOGICAL ID\s+FINDING$/);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ERROR\s+S3Encryption-TlsOnlyEnforced\s+test\/cli\/fixtures\/bad\.json:4:5\s+Logs\s+The bucket's policy does not deny requests made without TLS\./),
      expect.stringMatching(/^WARNING\s+S3Encryption-BucketKeyEnabled\s+test\/cli\/fixtures\/bad\.json:7:5\s+Archive\s+/),
    ]));
    expect(stdout).toMatch(/\n\d+ findings \(\d+ errors, 1 warning\) in 1 template, 2 resources\.\n$/);
  });

  test('json: tool, standard, summary, templates and findings with file, line, stack and logical ID', () => {
    const { status, report } = json('check', fixture('bad.json'), '--min-tls', '1.3');
    expect(status).toBe(1);
    expect(report.tool).toEqual({ name: 'cdk-s3-encryption', version: expect.any(String) });
    expect(report.standard).toEqual({ minimumTlsVersion: 1.3 });
    expect(report.summary).toEqual({
      templates: 1, resources: 2, findings: report.findings.length, errors: report.findings.length - 1, warnings: 1, suppressed: 0, unreadable: 0,
    });
    expect(report.findings).toContainEqual({
      ruleId: 'S3Encryption-KmsKeyCustomerManaged',
      level: 'error',
      file: fixture('bad.json'),
      line: 7,
      column: expect.any(Number),
      stack: 'bad',
      logicalId: 'Archive',
      message: expect.stringMatching(/AWS managed key aws\/s3/),
    });
    expect(report.findings.find((f: any) => f.ruleId === 'S3Encryption-TlsFloorEnforced').message).toMatch(/TLS 1\.3 floor|1\.3/);
  });

  test('sarif: a SARIF 2.1.0 log with the rules, and results located by template file and logical ID', () => {
    const { status, stdout } = run('check', fixture('bad.json'), fixture('good.json'), '--format', 'sarif');
    expect(status).toBe(1);
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.runs).toHaveLength(1);
    const [run0] = sarif.runs;
    expect(run0.tool.driver.name).toBe('cdk-s3-encryption');
    const ruleIds = run0.tool.driver.rules.map((r: any) => r.id);
    expect(ruleIds).toEqual(expect.arrayContaining(S3EncryptionChecks.RULE_IDS));
    for (const rule of run0.tool.driver.rules) {
      expect(rule).toMatchObject({ id: expect.stringMatching(/^S3Encryption-/), shortDescription: { text: expect.any(String) } });
    }
    expect(run0.results.length).toBeGreaterThan(0);
    for (const result of run0.results) {
      expect(ruleIds).toContain(result.ruleId);
      expect(run0.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning']).toContain(result.level);
      expect(result.message.text).toEqual(expect.any(String));
      const [location] = result.locations;
      expect(location.physicalLocation.artifactLocation).toEqual({ uri: 'test/cli/fixtures/bad.json', uriBaseId: '%SRCROOT%' });
      expect(location.physicalLocation.region.startLine).toBe(result.locations[0].logicalLocations[0].name === 'Logs' ? 4 : 7);
      expect(location.logicalLocations[0]).toMatchObject({ name: expect.stringMatching(/^(Logs|Archive)$/), kind: 'resource' });
    }
    expect(run0.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/^file:\/\/.*\/$/);
  });

  test('sarif for a clean run: no results, still the rules', () => {
    const sarif = JSON.parse(run('check', fixture('good.json'), '--format', 'sarif').stdout);
    expect(sarif.runs[0].results).toEqual([]);
    // The pack's rules, and the one for templates the pack could not evaluate (an unexpanded Fn::ForEach).
    expect(sarif.runs[0].tool.driver.rules.length).toBe(S3EncryptionChecks.RULE_IDS.length + 1);
    expect(sarif.runs[0].invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: [] }]);
  });
});

describe('the standard, from flags or a config file', () => {
  test('--kms-only fails an SSE-S3 bucket on its default encryption', () => {
    const { status, report } = json('check', fixture('good.json'), '--kms-only');
    expect(status).toBe(1);
    expect(report.standard).toEqual({ allowedEncryption: 'KMS_ONLY' });
    expect(report.findings.map((f: any) => f.ruleId)).toContain('S3Encryption-DefaultEncryptionAllowed');
  });

  test('--config gives the same standard', () => {
    const { status, report } = json('check', fixture('good.json'), '--config', fixture('kms-only.standard.json'));
    expect(status).toBe(1);
    expect(report.standard).toEqual({ allowedEncryption: 'KMS_ONLY', minimumTlsVersion: 1.2, requireUploadHeader: true });
  });

  test('flags win over the config file', () => {
    const { report } = json('check', fixture('good.json'), '--config', fixture('kms-only.standard.json'), '--min-tls', '1.3', '--no-require-upload-header');
    expect(report.standard).toEqual({ allowedEncryption: 'KMS_ONLY', minimumTlsVersion: 1.3, requireUploadHeader: false });
  });

  test('every flag maps onto the pack\'s props', () => {
    const { report } = json('check', fixture('good.json'), '--kms-only', '--allow-sse-c', '--min-tls', '1.3',
      '--allowed-key-arn', 'arn:aws:kms:eu-west-1:111111111111:key/a', '--allowed-key-arn', 'arn:aws:kms:eu-west-1:111111111111:key/b',
      '--require-upload-header', '--require-audit-trail', '--no-require-bucket-key');
    expect(report.standard).toEqual({
      allowedEncryption: 'KMS_ONLY',
      allowSseC: true,
      minimumTlsVersion: 1.3,
      allowedKmsKeyArns: ['arn:aws:kms:eu-west-1:111111111111:key/a', 'arn:aws:kms:eu-west-1:111111111111:key/b'],
      requireUploadHeader: true,
      requireAuditTrail: true,
      requireBucketKey: false,
    });
  });

  test('--require-audit-trail finds the bucket no trail records', () => {
    const { report } = json('check', fixture('good.json'), '--require-audit-trail');
    expect(report.findings.map((f: any) => f.ruleId)).toEqual(['S3Encryption-ObjectEventsAudited']);
  });
});

describe('cloud assemblies (cdk.out)', () => {
  /** A cdk.out from this library's constructs: a stack, a nested stack and a stage (a nested assembly). */
  function assembly(name: string, withPlainBucket: boolean, assetMetadata: boolean): string {
    const outdir = path.join(tmp, name);
    // `cdk synth` turns asset metadata on (aws:asset:path on nested stacks); an App run by other means may not.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': assetMetadata } });
    const stack = new Stack(app, 'Secure', { env: TEST_ENV });
    new EncryptedBucket(stack, 'Reports');
    const nested = new NestedStack(stack, 'Archive');
    new KmsEncryptedBucket(nested, 'Ledger');
    if (withPlainBucket) new s3.Bucket(nested, 'Forgotten');
    const stage = new Stage(app, 'Prod', { env: TEST_ENV });
    new EncryptedBucket(new Stack(stage, 'Data'), 'Records');
    app.synth();
    return outdir;
  }

  test('every stack, nested stacks and stages included: our constructs pass', () => {
    const outdir = assembly('clean.out', false, true);
    const { status, report, stderr } = json('check', outdir);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(report.templates.map((t: any) => t.stack).sort()).toEqual(['Prod/Data', 'Secure', expect.stringMatching(/^Secure\/ArchiveNestedStackArchiveNestedStackResource[0-9A-F]{8}$/)]);
    expect(report.templates.map((t: any) => path.relative(outdir, t.file)).sort()).toEqual([
      expect.stringMatching(/^SecureArchive[0-9A-F]{8}\.nested\.template\.json$/), 'Secure.template.json',
      expect.stringMatching(/^assembly-Prod\/ProdData[0-9A-F]{8}\.template\.json$/),
    ].sort());
  });

  test('a plain bucket in a nested stack is found in the nested template, by its logical ID (no asset metadata)', () => {
    const outdir = assembly('dirty.out', true, false);
    const { status, report } = json('check', outdir);
    expect(status).toBe(1);
    const files = new Set(report.findings.map((f: any) => f.file));
    expect(files.size).toBe(1);
    expect([...files][0]).toMatch(/\.nested\.template\.json$/);
    expect(new Set(report.findings.map((f: any) => f.logicalId))).toEqual(new Set([expect.stringMatching(/^Forgotten/)]));
    const sarif = JSON.parse(run('check', outdir, '--format', 'sarif').stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/.*\.nested\.template\.json$/);
  });
});

describe('many templates: 300 buckets in 60 files', () => {
  test('are all checked, with progress on stderr; findings point at the right file and bucket', () => {
    const dir = path.join(tmp, 'many');
    fs.mkdirSync(dir);
    const good = JSON.parse(fs.readFileSync(fixture('good.json'), 'utf8'));
    const files: string[] = [];
    for (let f = 0; f < 60; f++) {
      const resources: Record<string, unknown> = {};
      for (let b = 0; b < 5; b++) {
        const bucket = `Bucket${b}`;
        // Every 7th bucket has no policy: a bucket that falls short among compliant ones.
        const bare = (f * 5 + b) % 7 === 0;
        resources[bucket] = good.Resources.Data;
        if (!bare) {
          resources[`${bucket}Policy`] = JSON.parse(JSON.stringify(good.Resources.DataPolicy).replace(/"Data"/g, `"${bucket}"`)
            .replace(/\$\{Data\}/g, `\${${bucket}}`).replace(/\$\{Data\.Arn\}/g, `\${${bucket}.Arn}`));
        }
      }
      const file = path.join(dir, `app-${String(f).padStart(2, '0')}.json`);
      fs.writeFileSync(file, JSON.stringify({ Resources: resources }, null, 2));
      files.push(file);
    }
    const started = Date.now();
    const { status, report, stderr } = json('check', ...files);
    const seconds = (Date.now() - started) / 1000;
    expect(status).toBe(1);
    expect(report.summary.templates).toBe(60);
    expect(report.summary.resources).toBe(300 + 300 - 43);
    const bare = new Set<string>();
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 0) bare.add(`app-${String(Math.floor(i / 5)).padStart(2, '0')}.json/Bucket${i % 5}`);
    }
    expect(new Set(report.findings.map((f: any) => `${path.basename(f.file)}/${f.logicalId}`))).toEqual(bare);
    expect(stderr).toMatch(/cdk-s3-encryption: loaded 3\/60 templates\n/);
    expect(stderr).toMatch(/cdk-s3-encryption: loaded 60\/60 templates\n/);
    expect(stderr).toMatch(/cdk-s3-encryption: checked 60\/60 templates\n$/);
    expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(42);
    expect(seconds).toBeLessThan(120);
  });

  test('a few templates: no progress', () => {
    expect(run('check', fixture('good.json'), fixture('bad.json')).stderr).toBe('');
  });
});

describe('acknowledged findings stay visible', () => {
  test('text: a Suppressed section with the reason; a reason under 10 characters does not suppress', () => {
    const { status, stdout } = run('check', fixture('acknowledged.yaml'));
    expect(status).toBe(1);
    const [active, suppressed] = stdout.split('Suppressed (acknowledged in the template; not counted):');
    expect(active).toMatch(/S3Encryption-SseCBlockedUnlessRequired .*Acknowledged with the reason "ok", which does not suppress/);
    expect(active).not.toMatch(/S3Encryption-TlsOnlyEnforced/);
    expect(suppressed).toMatch(/S3Encryption-TlsOnlyEnforced\s+test\/cli\/fixtures\/acknowledged\.yaml:3:3\s+Legacy\s+"Reached only through the VPC endpoint policy, which requires TLS\."\s+The bucket's policy does not deny requests made without TLS/);
    expect(stdout).toMatch(/; 1 suppressed\.\n$/);
  });

  test('json: suppressed entries with reason, not counted in findings', () => {
    const { report } = json('check', fixture('acknowledged.yaml'));
    expect(report.summary.suppressed).toBe(1);
    expect(report.findings.map((f: any) => f.ruleId)).not.toContain('S3Encryption-TlsOnlyEnforced');
    expect(report.suppressed).toEqual([expect.objectContaining({
      ruleId: 'S3Encryption-TlsOnlyEnforced',
      logicalId: 'Legacy',
      line: 3,
      reason: 'Reached only through the VPC endpoint policy, which requires TLS.',
      message: expect.stringMatching(/s3:\w+ on arn:aws:s3:::acknowledged-legacy\S* over plain HTTP .* is not denied/),
    })]);
  });

  test('sarif: the acknowledged finding is a result with an inSource suppression and its justification', () => {
    const sarif = JSON.parse(run('check', fixture('acknowledged.yaml'), '--format', 'sarif').stdout);
    const results = sarif.runs[0].results;
    const suppressed = results.filter((r: any) => r.suppressions !== undefined);
    expect(suppressed).toEqual([expect.objectContaining({
      ruleId: 'S3Encryption-TlsOnlyEnforced',
      suppressions: [{ kind: 'inSource', status: 'accepted', justification: 'Reached only through the VPC endpoint policy, which requires TLS.' }],
    })]);
    expect(results.find((r: any) => r.ruleId === 'S3Encryption-SseCBlockedUnlessRequired').suppressions).toBeUndefined();
  });

  test('a run whose only findings are suppressed exits 0 and says so', () => {
    const file = path.join(tmp, 'all-acknowledged.json');
    const rulesToSuppress = S3EncryptionChecks.RULE_IDS.map((id) => ({ id, reason: 'Accepted by the security review of 2026.' }));
    fs.writeFileSync(file, JSON.stringify({
      Resources: { Bare: { Type: 'AWS::S3::Bucket', Metadata: { cdk_nag: { rules_to_suppress: rulesToSuppress } } } },
    }));
    const result = run('check', file);
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/\nNo findings: checked 1 template, 1 resources; [1-9]\d* suppressed\.\n$/) });
    expect(result.stdout).not.toMatch(/^LEVEL/m);
  });
});

describe('parameters: AllowedValues judged each, defaults named, --parameters overrides', () => {
  test('a parameter with AllowedValues is judged at each value; the finding says under which', () => {
    const { status, report } = json('check', fixture('parameters.yaml'));
    expect(status).toBe(1);
    const tls = report.findings.find((f: any) => f.ruleId === 'S3Encryption-TlsOnlyEnforced');
    expect(tls.message).toMatch(/When parameter Transport = "true": s3:\w+ on arn:aws:s3:::parameters-data\S* over plain HTTP/);
    expect(report.assumptions).toEqual([{ file: fixture('parameters.yaml'), stack: 'parameters', parameter: 'Floor', value: '1.2' }]);
  });

  test('the default assumption is named in text and SARIF', () => {
    expect(run('check', fixture('parameters.yaml')).stdout).toMatch(/Judged at parameter defaults .*\n {2}test\/cli\/fixtures\/parameters\.yaml: Floor = "1\.2"\n/);
    const sarif = JSON.parse(run('check', fixture('parameters.yaml'), '--format', 'sarif').stdout);
    expect(sarif.runs[0].properties.parameterAssumptions).toEqual([{ file: 'test/cli/fixtures/parameters.yaml', stack: 'parameters', parameter: 'Floor', value: '1.2' }]);
  });

  test('--parameters fixes a value: the compliant choice passes, a weaker default is caught', () => {
    const chosen = json('check', fixture('parameters.yaml'), '--parameters', 'Transport=false');
    expect(chosen.status).toBe(0);
    expect(chosen.report.findings).toEqual([]);
    const weaker = json('check', fixture('parameters.yaml'), '--parameters', 'Transport=false', '--parameters', 'Floor=1.0');
    expect(weaker.status).toBe(1);
    expect(weaker.report.findings.map((f: any) => f.ruleId)).toEqual(['S3Encryption-TlsFloorEnforced']);
    expect(weaker.report.findings[0].message).toMatch(/over TLS 1\.0 .* is not denied/);
    expect(weaker.report.assumptions).toEqual([]);
  });

  test.each([
    [['--parameters', 'Nope=1'], /^cdk-s3-encryption: error: --parameters: no template has a parameter named Nope\n$/],
    [['--parameters', 'Transport=maybe'], /--parameters: "maybe" is not one of the AllowedValues of parameter Transport in parameters \("false", "true"\)\n$/],
    [['--parameters', 'Transport'], /'Transport' is not Name=Value/],
  ])('%j is bad usage: exit 2 with the reason', (args, message) => {
    const result = run('check', fixture('parameters.yaml'), ...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('--explain', () => {
  test('text: per bucket, each property with its verdict, the requests it covers and the counterexample', () => {
    const { stdout } = run('check', fixture('bad.json'), '--explain');
    const block = stdout.slice(stdout.indexOf('bad/Logs'), stdout.indexOf('\n\n', stdout.indexOf('bad/Logs')));
    expect(block).toMatch(/PROPERTY\s+VERDICT\s+OK\s+REQUESTS\s+COVERS \/ COUNTEREXAMPLE/);
    expect(block).toMatch(/TLS only\s+counterexample\s+NO\s+\d+\s+every S3 request to the bucket or its objects over plain HTTP, by any principal: s3:\w+ on \S+ over plain HTTP by \S+ is not denied/);
    expect(block).toMatch(/TLS 1\.2 floor\s+(proof|counterexample)\s+/);
  });

  test('json: an explanation per property, with verdicts that agree with the findings', () => {
    const { report } = json('check', fixture('good.json'), fixture('bad.json'), '--explain');
    const explanations: any[] = report.explanations;
    expect(explanations.length).toBeGreaterThan(0);
    for (const e of explanations) {
      expect(e).toMatchObject({
        file: expect.any(String), stack: expect.any(String), logicalId: expect.any(String), property: expect.any(String), covers: expect.any(String),
      });
      expect(['proof', 'counterexample', 'could not evaluate']).toContain(e.verdict);
      expect(e.requestsDecided).toBeGreaterThan(0);
      if (e.verdict === 'counterexample') expect(e.detail).toMatch(/^s3:\w+ on arn:aws:s3:::/);
    }
    // Every property the standard wants that is not met shows up as a finding of the same bucket, and the reverse.
    const failing = new Set(explanations.filter((e) => e.compliant === false).map((e) => `${e.stack}/${e.logicalId}`));
    const tlsFindings = new Set(report.findings.filter((f: any) => /Tls|UploadHeader|KmsKeyPinned/.test(f.ruleId)).map((f: any) => `${f.stack}/${f.logicalId}`));
    expect(failing).toEqual(tlsFindings);
    const good = explanations.filter((e) => e.file === fixture('good.json'));
    expect(good.length).toBeGreaterThan(0);
    expect(good.filter((e) => e.compliant === false)).toEqual([]);
    expect(good.find((e) => e.property === 'TLS only')).toMatchObject({ verdict: 'proof', compliant: true });
  });

  test('without --explain, JSON has no explanations', () => {
    expect(json('check', fixture('good.json')).report.explanations).toBeUndefined();
  });
});
