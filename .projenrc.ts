import { awscdk, javascript, JsonFile } from 'projen';

const cdkCliVersion = '2.1148.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-s3-encryption',
  description:
    'Every way of encrypting Amazon S3 objects (SSE-S3, SSE-KMS/DSSE-KMS, SSE-C, client-side) as a one-line, verified and audited choice, with a cdk-nag rule pack and org-wide guardrails.',
  author: 'cdk-s3-encryption developers',
  authorAddress: 'cdk-s3-encryption@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-s3-encryption/cdk-s3-encryption.git',
  license: 'Apache-2.0',
  keywords: ['aws-cdk', 's3', 'encryption', 'kms', 'sse-c', 'dsse-kms', 'cdk-nag', 'compliance'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // Toolchain known to work on these machines: TypeScript 7 does not work with ts-jest or eslint yet, and without
  // minNodeVersion npm fails with ETARGET on @types/node@ts6.0.
  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.16.0',
  workflowNodeVersion: '20.x',

  // CI is .ci/run; no GitHub workflows are generated.
  github: false,
  release: false,
  sampleCode: false,

  peerDeps: ['cdk-nag@^3.0.2'],
  // The check command's parsers are not jsii modules: jsii requires them bundled.
  bundledDeps: ['commander', 'yaml'],
  bin: { 'cdk-s3-encryption': 'lib/cli/main.js' },
  devDeps: [
    'cdk-nag@^3.0.2',
    `aws-cdk@${cdkCliVersion}`,
    '@cloud-copilot/iam-simulate',
    '@cdklabs/cdk-validator-cfnguard',
    'fast-check',
    'aws-sdk-client-mock',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-kms',
    // check's outputs are validated by others' code: SARIF against the 2.1.0 schema, JUnit as XML.
    '@microsoft/jest-sarif',
    '@xmldom/xmldom',
  ],

  // jsii targets: configured with their names; only the js package is built on these machines.
  publishToPypi: {
    distName: 'cdk-s3-encryption',
    module: 'cdk_s3_encryption',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdks3encryption',
    mavenGroupId: 'io.github.cdk-s3-encryption',
    mavenArtifactId: 'cdk-s3-encryption',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkS3Encryption',
    packageId: 'CdkS3Encryption',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-s3-encryption/cdk-s3-encryption-go',
  },

  jestOptions: {
    // CI fails on snapshot drift; new snapshots are written with `npx projen test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
    },
  },
  gitignore: ['cdk.out', '*.cdk.out', 'examples/cdk.out', 'bench/results'],
});

// The S3 encryption client is a second entry point outside the jsii API (it is TypeScript-only and resolves the
// AWS SDK from the user's installation at run time). `typesVersions` serves TypeScript's node10 resolution.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './client': { types: './lib/client/index.d.ts', default: './lib/client/index.js' },
  './.jsii': './.jsii',
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': { client: ['lib/client/index.d.ts'] } });

// Quiet the Node 20 end-of-life banner from jsii; Node 20 is the runtime we support.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('CDK_DISABLE_CLI_TELEMETRY', 'true');

project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/docs/');
project.addPackageIgnore('/.ci/');

// Examples and benchmarks are type-checked (and linted with type information) against the sources.
for (const dir of ['examples', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..' },
      include: ['**/*.ts', '../src/**/*.ts'],
    },
  });
}

// No import cycles: they work only while every use happens at run time, not at load time. (Type-only imports are not
// followed; `npx madge --circular --extensions ts src` checks those too.)
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });

project.eslint?.addLintPattern('examples');
project.eslint?.allowDevDeps('examples/**');
project.eslint?.allowDevDeps('bench/**');
project.eslint?.addLintPattern('bench');

// The main job: synthesize the example app offline with the CDK CLI and print the rule pack's report.
project.addTask('example', {
  description: 'Synthesize examples/app.ts and print the encryption compliance report',
  steps: [
    {
      exec: 'cdk synth --app "ts-node --prefer-ts-exts examples/app.ts" --output examples/cdk.out --no-notices --no-version-reporting --quiet',
    },
  ],
});

// Benchmarks (bench/): not part of the build; results go to bench/results and docs/BENCHMARKS.md.
project.addTask('bench:synth', {
  description: 'Synth time, peak memory and template size of each bucket construct against its hand-written equivalent',
  exec: 'ts-node --transpile-only bench/synth.ts',
});
project.addTask('bench:check', {
  description: 'Throughput of the check command over a synthesized cdk.out (templates and buckets per second)',
  exec: 'ts-node --transpile-only bench/check-throughput.ts',
});
project.addTask('bench:pack', {
  description: 'S3EncryptionChecks against AwsSolutionsChecks on the same app of 200 buckets',
  exec: 'ts-node --transpile-only bench/rule-pack.ts',
});

// Tests type-check like the sources (ts-jest only transpiles).
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

project.synth();
