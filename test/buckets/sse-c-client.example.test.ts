import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { S3Client } from '@aws-sdk/client-s3';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { generateCustomerKey, getObject, multipartUpload, putObject, rotateObjectKey } from '../../examples/sse-c-client';
import { SseCOnlyBucket } from '../../src/buckets/sse-c-only-bucket';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';
import { S3Request, simulate } from '../harness/simulate';

/*
 * Runs the functions of examples/sse-c-client.ts offline: a request handler records the HTTP requests the SDK
 * builds and answers them, and each recorded request is then judged by the simulator against an SseCOnlyBucket's
 * policy. So the snippet of docs/SSE-C.md is shown to send what the bucket requires, on every request.
 */

const stack = new Stack(new App(), 'Client', { env: TEST_ENV });
new SseCOnlyBucket(stack, 'Bucket');
const template = Template.fromStack(stack).toJSON() as any;
const BUCKET = new CfnResolver(template).bucketName('Bucket83908E77');
const KEY = 'evidence/case 42.bin';

interface Recorded {
  readonly operation: string;
  readonly protocol: string;
  readonly key: string;
  readonly headers: Record<string, string>;
}

/** The S3 operation a request is, from its method, query and headers. */
function operationOf(method: string, query: Record<string, unknown>, headers: Record<string, string>): string {
  const copy = 'x-amz-copy-source' in headers;
  if (method === 'POST') return 'uploads' in query ? 'CreateMultipartUpload' : 'CompleteMultipartUpload';
  if (method === 'PUT' && 'partNumber' in query) return copy ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'PUT') return copy ? 'CopyObject' : 'PutObject';
  if (method === 'DELETE') return 'uploadId' in query ? 'AbortMultipartUpload' : 'DeleteObject';
  return method === 'HEAD' ? 'HeadObject' : 'GetObject';
}

const RESPONSES: Record<string, string> = {
  CreateMultipartUpload: `<InitiateMultipartUploadResult><Bucket>${BUCKET}</Bucket><Key>k</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>`,
  CompleteMultipartUpload: `<CompleteMultipartUploadResult><Bucket>${BUCKET}</Bucket><Key>k</Key><ETag>"e-2"</ETag></CompleteMultipartUploadResult>`,
  CopyObject: '<CopyObjectResult><ETag>"c"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>',
  GetObject: 'stored bytes',
};

function recordingClient(recorded: Recorded[]): S3Client {
  return new S3Client({
    region: TEST_ENV.region,
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
    requestHandler: {
      handle: async (request: any) => {
        const headers: Record<string, string> = Object.fromEntries(
          Object.entries(request.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
        const operation = operationOf(request.method, request.query ?? {}, headers);
        recorded.push({ operation, protocol: request.protocol, key: decodeURIComponent(request.path.replace(/^\//, '')), headers });
        const body = RESPONSES[operation] ?? '';
        return { response: { statusCode: 200, headers: { etag: `"${recorded.length}"` }, body: Readable.from([Buffer.from(body)]) } };
      },
    } as any,
  });
}

const md5 = (key: Buffer) => createHash('md5').update(key).digest('base64');

/** The request as the bucket policy sees it: the operations that write are authorised as s3:PutObject. */
function asPolicySees(r: Recorded): S3Request {
  const writes = ['PutObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart', 'UploadPartCopy', 'CompleteMultipartUpload'];
  const action = writes.includes(r.operation) ? 's3:PutObject' :
    r.operation === 'AbortMultipartUpload' ? 's3:AbortMultipartUpload' : 's3:GetObject';
  const secure = r.protocol === 'https:';
  return {
    action,
    key: r.key,
    secureTransport: secure,
    tls: secure ? '1.2' : undefined, // the lowest a client may negotiate with the default floor
    sse: r.headers['x-amz-server-side-encryption'],
    // No IAM condition key carries SSE-C on reads (see the matrix test), so it is evaluated on writes only.
    sseCustomerAlgorithm: action === 's3:PutObject' ? r.headers['x-amz-server-side-encryption-customer-algorithm'] : undefined,
    copySource: r.headers['x-amz-copy-source'],
  };
}

async function verdicts(recorded: Recorded[]) {
  return Promise.all(recorded.map(async (r) => [r.operation, await simulate(template, asPolicySees(r))]));
}

function expectCustomerKey(r: Recorded, key: Buffer, prefix = 'x-amz-server-side-encryption-customer') {
  expect(r.headers[`${prefix}-algorithm`]).toBe('AES256');
  expect(r.headers[`${prefix}-key`]).toBe(key.toString('base64'));
  expect(r.headers[`${prefix}-key-md5`]).toBe(md5(key));
}

describe('examples/sse-c-client.ts against an SseCOnlyBucket', () => {
  const customerKey = generateCustomerKey();

  test('generates 256-bit keys, a new one each time', () => {
    expect(customerKey).toHaveLength(32);
    expect(generateCustomerKey().equals(customerKey)).toBe(false);
  });

  test('putObject and getObject send the key over HTTPS, and the policy allows them', async () => {
    const recorded: Recorded[] = [];
    const s3 = recordingClient(recorded);
    await putObject(s3, BUCKET, KEY, Buffer.from('evidence'), customerKey);
    const body = await getObject(s3, BUCKET, KEY, customerKey);

    expect(Buffer.from(body).toString()).toBe('stored bytes');
    expect(recorded.map((r) => [r.operation, r.protocol, r.key])).toEqual([['PutObject', 'https:', KEY], ['GetObject', 'https:', KEY]]);
    recorded.forEach((r) => expectCustomerKey(r, customerKey));
    expect(recorded.every((r) => r.headers['x-amz-server-side-encryption'] === undefined)).toBe(true);
    expect(await verdicts(recorded)).toEqual([['PutObject', 'allowed'], ['GetObject', 'allowed']]);
  });

  test('multipartUpload sends the key on CreateMultipartUpload, every UploadPart and CompleteMultipartUpload', async () => {
    const recorded: Recorded[] = [];
    await multipartUpload(recordingClient(recorded), BUCKET, KEY, [Buffer.alloc(16, 1), Buffer.alloc(8, 2)], customerKey);

    expect(recorded.map((r) => r.operation)).toEqual(['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload']);
    recorded.forEach((r) => expectCustomerKey(r, customerKey));
    expect((await verdicts(recorded)).map(([, v]) => v)).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
  });

  test('without the algorithm header, the CompleteMultipartUpload of the example would be denied', async () => {
    const recorded: Recorded[] = [];
    await multipartUpload(recordingClient(recorded), BUCKET, KEY, [Buffer.alloc(4)], customerKey);
    const complete = recorded.find((r) => r.operation === 'CompleteMultipartUpload')!;
    const { ['x-amz-server-side-encryption-customer-algorithm']: _dropped, ...headers } = complete.headers;
    expect(await simulate(template, asPolicySees({ ...complete, headers }))).toBe('denied');
  });

  test('a failed multipart upload is aborted', async () => {
    const recorded: Recorded[] = [];
    const s3 = recordingClient(recorded);
    const send = s3.send.bind(s3);
    jest.spyOn(s3, 'send').mockImplementation(async (command: any) => {
      if (command.constructor.name === 'UploadPartCommand') throw new Error('network');
      return send(command);
    });
    await expect(multipartUpload(s3, BUCKET, KEY, [Buffer.alloc(4)], customerKey)).rejects.toThrow('network');
    expect(recorded.map((r) => r.operation)).toEqual(['CreateMultipartUpload', 'AbortMultipartUpload']);
  });

  test('rotateObjectKey copies the object onto itself: old key as copy source, new key as destination', async () => {
    const recorded: Recorded[] = [];
    const newKey = generateCustomerKey();
    await rotateObjectKey(recordingClient(recorded), BUCKET, KEY, customerKey, newKey);

    expect(recorded.map((r) => r.operation)).toEqual(['CopyObject']);
    const [copy] = recorded;
    expect(decodeURIComponent(copy.headers['x-amz-copy-source'])).toBe(`${BUCKET}/${KEY}`);
    expectCustomerKey(copy, customerKey, 'x-amz-copy-source-server-side-encryption-customer');
    expectCustomerKey(copy, newKey);
    expect(await verdicts(recorded)).toEqual([['CopyObject', 'allowed']]);
  });

  test('the example refuses a key that is not 256 bits', async () => {
    await expect(putObject(recordingClient([]), BUCKET, KEY, Buffer.from('x'), Buffer.alloc(16))).rejects.toThrow(/256 bits/);
  });

  test('every snippet quoted in docs/SSE-C.md is in the example, word for word', () => {
    const example = fs.readFileSync(path.join(__dirname, '../../examples/sse-c-client.ts'), 'utf8');
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/SSE-C.md'), 'utf8');
    const quoted = [...doc.matchAll(/```ts\n\/\/ examples\/sse-c-client\.ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(quoted.length).toBeGreaterThanOrEqual(3);
    for (const snippet of quoted) expect(example).toContain(snippet);
  });
});
