/**
 * Objects cross both ways between this client and AWS's own S3 Encryption Clients for Go: v4 (message format V3,
 * all three commitment policies) and the V2 client (`s3crypto`, format V2). Both talk HTTP to loopback stand-ins
 * for S3 and KMS. The Go drivers in ./interop are built at test time against sources outside this repository.
 *
 * Optional: runs only when S3EC_GO_INTEROP_GOPATH names a GOPATH that holds
 * github.com/aws/amazon-s3-encryption-client-go/v4, github.com/aws/aws-sdk-go-v2, github.com/aws/smithy-go and
 * github.com/aws/aws-sdk-go (see docs/CLIENT.md, "Interoperability"), and a Go >= 1.24 is found (S3EC_GO, or
 * `go` on PATH). Otherwise every test is skipped.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { KEY_ARN } from './helpers';
import { startLoopbackKms, type LoopbackKms } from './loopback-kms';
import { startLoopbackS3, type LoopbackS3 } from './loopback-s3';
import { CommitmentPolicy, MetadataStrategy, S3EncryptionClient } from '../../src/client';

const GOPATH = process.env.S3EC_GO_INTEROP_GOPATH;
const GO = process.env.S3EC_GO ?? 'go';

function goAvailable(): boolean {
  if (!GOPATH) return false;
  const version = spawnSync(GO, ['version'], { encoding: 'utf8' });
  return version.status === 0 && /go1\.(2[4-9]|[3-9]\d)/.test(version.stdout);
}

const maybe = goAvailable() ? describe : describe.skip;
const { FORBID_ENCRYPT_ALLOW_DECRYPT: FORBID, REQUIRE_ENCRYPT_ALLOW_DECRYPT: REQ_ALLOW, REQUIRE_ENCRYPT_REQUIRE_DECRYPT: REQ_REQ } = CommitmentPolicy;

maybe('interop with AWS S3 Encryption Clients for Go', () => {
  let dir: string;
  let s3: LoopbackS3;
  let kms: LoopbackKms;
  let goEnv: NodeJS.ProcessEnv;
  let ours: (policy: CommitmentPolicy) => S3EncryptionClient;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 's3ec-go-'));
    s3 = await startLoopbackS3();
    kms = await startLoopbackKms();
    goEnv = {
      ...process.env,
      GOPATH,
      GO111MODULE: 'off',
      GOFLAGS: '',
      GOTOOLCHAIN: 'local',
      GOCACHE: process.env.GOCACHE ?? path.join(tmpdir(), 's3ec-go-cache'),
      S3_ENDPOINT: s3.endpoint,
      KMS_ENDPOINT: kms.endpoint,
      KMS_KEY_ID: KEY_ARN,
      // AWS's clients look for instruction files on the default endpoint: send anything not local to a closed port.
      HTTP_PROXY: 'http://127.0.0.1:9',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1',
      AWS_EC2_METADATA_DISABLED: 'true',
      // v4 reads instruction files with a client of the default configuration, which takes its endpoint from here.
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    };
    for (const driver of ['go-v4', 'go-v2']) {
      execFileSync(GO, ['build', '-o', path.join(dir, driver), '.'], { cwd: path.join(__dirname, 'interop', driver), env: goEnv, stdio: 'pipe' });
    }
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    const s3Client = new S3Client({ region: 'eu-west-1', endpoint: s3.endpoint, forcePathStyle: true, credentials, maxAttempts: 1 });
    const kmsClient = new KMSClient({ region: 'eu-west-1', endpoint: kms.endpoint, credentials, maxAttempts: 1 });
    ours = (commitmentPolicy) => new S3EncryptionClient({ s3Client, kmsClient, kmsKeyId: KEY_ARN, commitmentPolicy });
  }, 600_000);

  afterAll(async () => {
    await s3?.close();
    await kms?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Run a Go driver (asynchronously: the stand-ins answer it from this process); its success and stderr. */
  function go(driver: 'go-v4' | 'go-v2', args: string[]): Promise<{ ok: boolean; stderr: string }> {
    return new Promise((resolve) => {
      execFile(path.join(dir, driver), args, { env: goEnv, encoding: 'utf8', timeout: 60_000 }, (error, _stdout, stderr) => {
        resolve({ ok: !error, stderr });
      });
    });
  }
  const plaintext = () => randomBytes(100_000 + Math.floor(Math.random() * 1000));
  const context = { tenant: 'interop' };
  const ecArg = '-ec=tenant=interop';

  test.each([FORBID, REQ_ALLOW, REQ_REQ])('our default (V3) object is read by Go v4 under %s', async (policy) => {
    const data = plaintext();
    await ours(REQ_REQ).putObject({ Bucket: 'b', Key: `ours-v3-${policy}`, Body: data, EncryptionContext: context });
    const out = path.join(dir, `out-${policy}`);
    const result = await go('go-v4', ['-op=get', `-policy=${policy}`, '-bucket=b', `-key=ours-v3-${policy}`, `-file=${out}`]);
    expect(result).toMatchObject({ ok: true });
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  test.each([
    // Go v4 writer policy   format   our readers that accept it
    [FORBID, 'V2', [FORBID, REQ_ALLOW]],
    [REQ_ALLOW, 'V3', [FORBID, REQ_ALLOW, REQ_REQ]],
    [REQ_REQ, 'V3', [FORBID, REQ_ALLOW, REQ_REQ]],
  ] as const)('Go v4 under %s writes %s; we read it under %j and refuse it otherwise', async (policy, format, readers) => {
    const data = plaintext();
    const file = path.join(dir, `in-${policy}`);
    writeFileSync(file, data);
    expect(await go('go-v4', ['-op=put', `-policy=${policy}`, '-bucket=b', `-key=go-${policy}`, `-file=${file}`, ecArg])).toMatchObject({ ok: true });
    const metadata = s3.objects.get(`/b/go-${policy}`)!.meta;
    expect('x-amz-meta-x-amz-c' in metadata).toBe(format === 'V3');
    for (const reader of [FORBID, REQ_ALLOW, REQ_REQ]) {
      const read = ours(reader).getObjectAsBuffer({ Bucket: 'b', Key: `go-${policy}`, EncryptionContext: context });
      if ((readers as readonly CommitmentPolicy[]).includes(reader)) {
        const out = await read;
        expect(out.Body.equals(data)).toBe(true);
        expect(out.Format).toBe(format);
      } else {
        await expect(read).rejects.toMatchObject({ code: 'COMMITMENT_POLICY_VIOLATION' });
      }
    }
  });

  test('our V2 object: read by the Go V2 client and by Go v4 under the ALLOW policies, refused under REQUIRE_ENCRYPT_REQUIRE_DECRYPT', async () => {
    const data = plaintext();
    await ours(FORBID).putObject({ Bucket: 'b', Key: 'ours-v2', Body: data, EncryptionContext: context });
    const out = path.join(dir, 'out-v2');
    expect(await go('go-v2', ['-op=get', '-bucket=b', '-key=ours-v2', `-file=${out}`])).toMatchObject({ ok: true });
    expect(readFileSync(out).equals(data)).toBe(true);
    for (const policy of [FORBID, REQ_ALLOW]) {
      expect(await go('go-v4', ['-op=get', `-policy=${policy}`, '-bucket=b', '-key=ours-v2', `-file=${out}`])).toMatchObject({ ok: true });
      expect(readFileSync(out).equals(data)).toBe(true);
    }
    expect((await go('go-v4', ['-op=get', `-policy=${REQ_REQ}`, '-bucket=b', '-key=ours-v2', `-file=${out}`])).ok).toBe(false);
  });

  test('the Go V2 client\'s object is read by us under the ALLOW policies', async () => {
    const data = plaintext();
    const file = path.join(dir, 'in-v2');
    writeFileSync(file, data);
    expect(await go('go-v2', ['-op=put', '-bucket=b', '-key=go-v2', `-file=${file}`, ecArg])).toMatchObject({ ok: true });
    for (const policy of [FORBID, REQ_ALLOW]) {
      expect((await ours(policy).getObjectAsBuffer({ Bucket: 'b', Key: 'go-v2', EncryptionContext: context })).Body.equals(data)).toBe(true);
    }
  });

  test('our V3 object with an instruction file is read by Go v4', async () => {
    const data = plaintext();
    const writer = new S3EncryptionClient({
      s3Client: new S3Client({
        region: 'eu-west-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        maxAttempts: 1,
      }),
      kmsClient: new KMSClient({
        region: 'eu-west-1',
        endpoint: kms.endpoint,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        maxAttempts: 1,
      }),
      kmsKeyId: KEY_ARN,
      metadataStrategy: MetadataStrategy.INSTRUCTION_FILE,
    });
    await writer.putObject({ Bucket: 'b', Key: 'instructed', Body: data, EncryptionContext: context });
    expect(s3.objects.has('/b/instructed.instruction')).toBe(true);
    const out = path.join(dir, 'out-instructed');
    const result = await go('go-v4', ['-op=get', `-policy=${REQ_REQ}`, '-bucket=b', '-key=instructed', `-file=${out}`]);
    expect(result).toMatchObject({ ok: true });
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  test('a tampered commitment on our V3 object is refused by Go v4 too', async () => {
    await ours(REQ_REQ).putObject({ Bucket: 'b', Key: 'tampered', Body: plaintext() });
    const obj = s3.objects.get('/b/tampered')!;
    const commitment = Buffer.from(obj.meta['x-amz-meta-x-amz-d'], 'base64');
    commitment[0] = (commitment[0] + 1) % 256;
    obj.meta['x-amz-meta-x-amz-d'] = commitment.toString('base64');
    const result = await go('go-v4', ['-op=get', `-policy=${REQ_REQ}`, '-bucket=b', '-key=tampered', `-file=${path.join(dir, 'never')}`]);
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/commitment/i);
  });
});

