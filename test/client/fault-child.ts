/**
 * One fault scenario, run as its own Node.js process by faults.test.ts (`node -r ts-node/register/transpile-only`).
 * The real SDK S3 client talks HTTP to a loopback S3 stand-in; KMS is the in-process fake, optionally slow.
 * No error handlers are installed: an unhandled 'error' event or rejection crashes the process, which the parent
 * sees. Prints one JSON line: the error code, how long the call took, whether anything was stored, and that the
 * process was still alive afterwards.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeKms, KEY_ARN } from './helpers';
import { startLoopbackS3 } from './loopback-s3';
import { S3EncryptionClient } from '../../src/client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(scenario: string): Promise<void> {
  const s3 = await startLoopbackS3();
  const kms = new FakeKms();
  const kmsMock = mockClient(KMSClient);
  const kmsDelay = scenario === 'missing-file' || scenario === 'abort-put' ? 300 : 0;
  kmsMock.on(GenerateDataKeyCommand).callsFake(async (input) => { await sleep(kmsDelay); return kms.generateDataKey(input); });
  kmsMock.on(DecryptCommand).callsFake(async (input) => kms.decrypt(input));
  const s3Client = new S3Client({
    region: 'eu-west-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const client = new S3EncryptionClient({ s3Client, kmsClient: new KMSClient({ region: 'eu-west-1' }), kmsKeyId: KEY_ARN });
  const Bucket = 'bucket';
  const Key = 'fault/object';

  const started = Date.now();
  let code: string | undefined;
  let cause: string | undefined;
  try {
    switch (scenario) {
      case 'missing-file':
        // The stream fails (ENOENT) while the client still waits for KMS.
        await client.putObject({ Bucket, Key, Body: createReadStream('/nonexistent/s3ec-fault-test'), ContentLength: 1000 });
        break;
      case 'midway-error': {
        let sent = 0;
        const body = new Readable({
          read() {
            if (sent === 3) {
              setTimeout(() => this.destroy(new Error('disk went away')), 20);
              return;
            }
            sent++;
            this.push(Buffer.alloc(64 * 1024, sent));
          },
        });
        await client.putObject({ Bucket, Key, Body: body, ContentLength: 1024 * 1024 });
        break;
      }
      case 'short-body':
        await client.putObject({ Bucket, Key, Body: Readable.from([Buffer.alloc(500, 1)]), ContentLength: 1000 });
        break;
      case 'long-body':
        await client.putObject({ Bucket, Key, Body: Readable.from([Buffer.alloc(700, 1), Buffer.alloc(700, 2)]), ContentLength: 1000 });
        break;
      case 'abort-put': {
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error('user cancelled')), 50);
        await client.putObject({ Bucket, Key, Body: Readable.from([Buffer.alloc(1000)]), ContentLength: 1000 }, { abortSignal: controller.signal });
        break;
      }
      case 'stalled-download':
      case 'stalled-download-to-file': {
        await client.putObject({ Bucket, Key, Body: Buffer.alloc(1024 * 1024, 7) });
        s3.stallGetAfter = 100_000;
        const signal = AbortSignal.timeout(500);
        if (scenario === 'stalled-download') {
          await client.getObjectAsBuffer({ Bucket, Key }, { abortSignal: signal });
        } else {
          await client.getObjectToFile({ Bucket, Key }, `${process.env.TMPDIR ?? '/tmp'}/s3ec-fault-${process.pid}`, { abortSignal: signal });
        }
        break;
      }
      default:
        throw new Error(`unknown scenario ${scenario}`);
    }
    code = 'RESOLVED';
  } catch (e) {
    const err = e as { code?: string; name?: string; cause?: { code?: string; message?: string } };
    code = err.code ?? `uncoded:${err.name}`;
    cause = err.cause?.code ?? err.cause?.message;
  }
  const elapsedMs = Date.now() - started;
  await sleep(300); // late 'error' events would crash the process now
  const stored = scenario.startsWith('stalled') ? undefined : s3.objects.has(`/${Bucket}/${Key}`);
  process.stdout.write(`${JSON.stringify({ code, cause, elapsedMs, stored, alive: true })}\n`);
  s3Client.destroy();
  kmsMock.restore();
  await s3.close();
}

main(process.argv[2]).then(() => process.exit(0), (e) => {
  process.stderr.write(`harness failure: ${String(e)}\n`);
  process.exit(3);
});
