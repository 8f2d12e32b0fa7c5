#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { checkTemplates, CheckProgress, InputError, validateStandard } from './check';
import { format, OUTPUT_FORMATS, OutputFormat, ToolInfo } from './format';
import { AllowedEncryption, EncryptionChecksStandardProps } from '../nag/standard';

// `cdk-s3-encryption check <paths...>`: argv in, exit code out. The checking is in check.ts, the output in format.ts.

/** Exit codes of the command. */
export const ExitCode = {
  /** Every template meets the standard. */
  CLEAN: 0,
  /** At least one finding (errors and warnings alike: cdk-nag fails synthesis on both). */
  FINDINGS: 1,
  /** Bad usage, or input that could not be read (every other file is still judged and reported). */
  USAGE: 2,
} as const;

/** Where the command writes. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Above this many templates, progress goes to stderr. */
const PROGRESS_THRESHOLD = 20;
const RULES_URI = 'https://github.com/cdk-s3-encryption/cdk-s3-encryption/blob/main/docs/RULES.md';

interface CheckFlags {
  readonly format: OutputFormat;
  readonly config?: string;
  readonly kmsOnly?: boolean;
  readonly allowSseC?: boolean;
  readonly minTls?: number;
  readonly allowedKeyArn?: string[];
  readonly requireUploadHeader?: boolean;
  readonly requireAuditTrail?: boolean;
  readonly requireBucketKey?: boolean;
  readonly verbose?: boolean;
  readonly parameters?: Record<string, string>;
  readonly explain?: boolean;
  readonly maxTemplateBytes?: number;
  readonly debug?: boolean;
}

function toolInfo(): ToolInfo {
  let version = '0.0.0';
  try {
    // lib/cli/main.js and src/cli/main.ts are both two levels under the package root.
    version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version ?? version;
  } catch {
    // A version is nice to have in reports, not a reason to fail.
  }
  return { name: 'cdk-s3-encryption', version, rulesUri: RULES_URI };
}

function tlsVersion(value: string): number {
  if (value !== '1.2' && value !== '1.3') throw new InvalidArgumentError('use 1.2 or 1.3.');
  return Number(value);
}

function collect(value: string, previous: string[] | undefined): string[] {
  if (!value.startsWith('arn:')) throw new InvalidArgumentError(`'${value}' is not an ARN: pass the key (or alias) ARN.`);
  return [...(previous ?? []), value];
}

function byteCount(value: string): number {
  const match = /^(\d+)\s*(k|ki|kib|kb|m|mi|mib|mb|g|gi|gib|gb)?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError('give a number of bytes, optionally with KiB, MiB or GiB (e.g. 512MiB).');
  const unit = (match[2] ?? '').toLowerCase()[0];
  const bytes = Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new InvalidArgumentError('give a positive number of bytes.');
  return bytes;
}

/** `Name=Value` (repeatable) into an object; the value may contain `=`, the name may not be empty. */
function parameterValue(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`'${value}' is not Name=Value: pass a parameter's logical ID, '=', and its value.`);
  const name = value.slice(0, at);
  if (!/^[A-Za-z0-9]+$/.test(name)) throw new InvalidArgumentError(`'${name}' is not a parameter logical ID (letters and digits only).`);
  return { ...(previous ?? {}), [name]: value.slice(at + 1) };
}

/** The standard from the config file (if any), then the flags, which win. */
function standardOf(flags: CheckFlags): EncryptionChecksStandardProps {
  let fromFile: Record<string, unknown> = {};
  if (flags.config !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(flags.config, 'utf8');
    } catch (e) {
      throw new InputError(flags.config, `cannot read the config file (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
    }
    try {
      fromFile = JSON.parse(text);
    } catch (e) {
      throw new InputError(flags.config, `malformed JSON: ${(e as Error).message}`);
    }
    if (fromFile === null || typeof fromFile !== 'object' || Array.isArray(fromFile)) {
      throw new InputError(flags.config, 'the config file must be a JSON object with the keys of the standard');
    }
    validateStandard(fromFile, flags.config);
  }
  const fromFlags: EncryptionChecksStandardProps = {
    ...(flags.kmsOnly ? { allowedEncryption: AllowedEncryption.KMS_ONLY } : {}),
    ...(flags.allowSseC !== undefined ? { allowSseC: flags.allowSseC } : {}),
    ...(flags.minTls !== undefined ? { minimumTlsVersion: flags.minTls } : {}),
    ...(flags.allowedKeyArn !== undefined ? { allowedKmsKeyArns: flags.allowedKeyArn } : {}),
    ...(flags.requireUploadHeader !== undefined ? { requireUploadHeader: flags.requireUploadHeader } : {}),
    ...(flags.requireAuditTrail !== undefined ? { requireAuditTrail: flags.requireAuditTrail } : {}),
    ...(flags.requireBucketKey !== undefined ? { requireBucketKey: flags.requireBucketKey } : {}),
  };
  return { ...(fromFile as EncryptionChecksStandardProps), ...fromFlags };
}

function progressReporter(io: Io): (progress: CheckProgress) => void {
  const printed = { loaded: 0, checked: 0 };
  return (progress) => {
    if (progress.total <= PROGRESS_THRESHOLD) return;
    // About twenty lines per phase, whatever the number of templates.
    const step = Math.ceil(progress.total / 20);
    if (progress.done !== progress.total && progress.done - printed[progress.phase] < step) return;
    printed[progress.phase] = progress.done;
    io.stderr(`cdk-s3-encryption: ${progress.phase} ${progress.done}/${progress.total} templates\n`);
  };
}

/** Run the command with the arguments after `node main.js`; returns the exit code. */
export function run(argv: string[], io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): number {
  const tool = toolInfo();
  let exitCode: number = ExitCode.CLEAN;
  let debug = argv.includes('--debug');
  const program = new Command('cdk-s3-encryption')
    .description('Hold S3 buckets in CloudFormation templates to an encryption standard (the S3EncryptionChecks rule pack).')
    .version(tool.version)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run cdk-s3-encryption check --help for the options)');

  program.command('check')
    .description('Check template files (JSON or YAML) and cloud assemblies (cdk.out, nested stacks included).\n' +
      'Exit status: 0 no findings, 1 findings, 2 bad usage or an input that could not be read (every readable file is still ' +
      'checked and reported).')
    .argument('<paths...>', 'template files and cdk.out directories')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('--config <file>', 'JSON file with the standard (keys of the S3EncryptionChecks props); flags win over it')
    .option('--kms-only', 'allow only SSE-KMS and DSSE-KMS default encryption (allowedEncryption KMS_ONLY)')
    .option('--allow-sse-c', 'let buckets whose policy requires SSE-C pass (allowSseC)')
    .option('--min-tls <version>', 'lowest TLS version buckets must allow: 1.2 or 1.3 (minimumTlsVersion)', tlsVersion)
    .option('--allowed-key-arn <arn>', 'a KMS key ARN buckets may use; repeat for more (allowedKmsKeyArns)', collect)
    .option('--require-upload-header', 'uploads must send the encryption header (requireUploadHeader, the default)')
    .option('--no-require-upload-header', 'header-less uploads may fall back to default encryption')
    .option('--require-audit-trail', 'a trail in the templates must record each bucket\'s object events (requireAuditTrail)')
    .option('--no-require-audit-trail', 'do not require a trail (the default)')
    .option('--require-bucket-key', 'SSE-KMS buckets must use an S3 Bucket Key (requireBucketKey, the default)')
    .option('--no-require-bucket-key', 'do not require S3 Bucket Keys')
    .option('--verbose', 'say why each rule exists in its findings')
    .option('--parameters <Name=Value>', 'judge templates with this parameter value instead of its default or each of its ' +
      'AllowedValues; repeat for more', parameterValue)
    .option('--explain', 'list, per bucket and key, every property decided: the requests it covers and the proof or counterexample')
    .option('--max-template-bytes <size>', 'largest template or manifest file read (default 256MiB)', byteCount)
    .option('--debug', 'print the stack of an internal error')
    .action((paths: string[], flags: CheckFlags) => {
      const standard = standardOf(flags);
      debug = flags.debug ?? false;
      const report = checkTemplates(paths, standard, {
        onProgress: progressReporter(io),
        verbose: flags.verbose,
        parameters: flags.parameters,
        explain: flags.explain,
        maxTemplateBytes: flags.maxTemplateBytes,
        debug,
      });
      io.stdout(format(report, standard, flags.format, tool));
      if (report.errors.length > 0) {
        io.stderr(`cdk-s3-encryption: ${report.errors.length} input${report.errors.length === 1 ? '' : 's'} could not be read (see the report)\n`);
      }
      exitCode = report.errors.length > 0 ? ExitCode.USAGE : report.findings.length > 0 ? ExitCode.FINDINGS : ExitCode.CLEAN;
    });

  try {
    program.parse(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; every other parse error is bad usage.
      return e.exitCode === 0 ? ExitCode.CLEAN : ExitCode.USAGE;
    }
    if (e instanceof InputError) {
      io.stderr(`cdk-s3-encryption: error: ${e.message}\n`);
      return ExitCode.USAGE;
    }
    // A bug of ours: one line, unless --debug asks for the stack.
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    io.stderr(debug
      ? `cdk-s3-encryption: internal error: ${(e as Error).stack ?? e}\n`
      : `cdk-s3-encryption: internal error: ${message} (please report it; --debug prints the stack)\n`);
    return ExitCode.USAGE;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2));
}
