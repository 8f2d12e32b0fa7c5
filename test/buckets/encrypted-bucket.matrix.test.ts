import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedBucket, UploadHeaderRule } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import {
  bucketPolicySids, completeMultipartUpload, copyInto, createMultipartUpload, del, get, list, put, requestDeniedOnlyBy, S3Request, simulate,
  uploadPart, Verdict,
} from '../harness/simulate';

/*
 * Assumption about multipart uploads, stated here and in the README: UploadPart, UploadPartCopy and
 * CompleteMultipartUpload are authorised as s3:PutObject. S3 rejects the SSE header on UploadPart, and
 * evaluates the part requests with the encryption that CreateMultipartUpload set for the upload, so a
 * correctly encrypted upload passes the header statement. The rows marked "if S3 sent no SSE context"
 * show what happens if that assumption ever fails: REQUIRED would deny the parts, MATCH_IF_PRESENT would not,
 * which is the documented remedy.
 */

function templateFor(uploadHeaderRule: UploadHeaderRule) {
  const stack = new Stack(new App(), 'Matrix', { env: TEST_ENV });
  new EncryptedBucket(stack, 'Bucket', { uploadHeaderRule });
  return Template.fromStack(stack).toJSON() as any;
}

const templates = {
  [UploadHeaderRule.REQUIRED]: templateFor(UploadHeaderRule.REQUIRED),
  [UploadHeaderRule.MATCH_IF_PRESENT]: templateFor(UploadHeaderRule.MATCH_IF_PRESENT),
};

const sseC = { sseCustomerAlgorithm: 'AES256' };
const http = { secureTransport: false };

const matrix: Array<[string, S3Request, Verdict, Verdict]> = [
  // what                                          request                                           REQUIRED   MATCH_IF_PRESENT
  ['PutObject AES256, TLS 1.2', put({ sse: 'AES256', tls: '1.2' }), 'allowed', 'allowed'],
  ['PutObject AES256, TLS 1.3', put({ sse: 'AES256', tls: '1.3' }), 'allowed', 'allowed'],
  ['PutObject aws:kms', put({ sse: 'aws:kms' }), 'denied', 'denied'],
  ['PutObject aws:kms with a key id', put({ sse: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/abc' }), 'denied', 'denied'],
  ['PutObject aws:kms:dsse', put({ sse: 'aws:kms:dsse' }), 'denied', 'denied'],
  ['PutObject with no SSE header', put(), 'denied', 'allowed'], // no header, no upload / default encryption
  ['PutObject lower-case aes256', put({ sse: 'aes256' }), 'denied', 'denied'],
  // SSE-C: the policy denies it under REQUIRED; under MATCH_IF_PRESENT the bucket's BlockedEncryptionTypes does.
  ['PutObject with SSE-C headers', put(sseC), 'denied', 'allowed'],
  ['PutObject with SSE-C and AES256 headers', put({ ...sseC, sse: 'AES256' }), 'allowed', 'allowed'],
  ['PutObject AES256 over HTTP', put({ sse: 'AES256', ...http }), 'denied', 'denied'],
  ['PutObject with no header over HTTP', put(http), 'denied', 'denied'],
  ['PutObject AES256, TLS 1.0', put({ sse: 'AES256', tls: '1.0' }), 'denied', 'denied'],
  ['PutObject AES256, TLS 1.1', put({ sse: 'AES256', tls: '1.1' }), 'denied', 'denied'],
  ['PutObject with no header, TLS 1.1', put({ tls: '1.1' }), 'denied', 'denied'],
  ['GetObject, TLS 1.2', get(), 'allowed', 'allowed'],
  ['GetObject, TLS 1.3', get({ tls: '1.3' }), 'allowed', 'allowed'],
  ['GetObject over HTTP', get(http), 'denied', 'denied'],
  ['GetObject, TLS 1.0', get({ tls: '1.0' }), 'denied', 'denied'],
  ['GetObject, TLS 1.1', get({ tls: '1.1' }), 'denied', 'denied'],
  ['ListBucket, TLS 1.2', list(), 'allowed', 'allowed'],
  ['ListBucket, TLS 1.3', list({ tls: '1.3' }), 'allowed', 'allowed'],
  ['ListBucket over HTTP', list(http), 'denied', 'denied'],
  ['ListBucket, TLS 1.0', list({ tls: '1.0' }), 'denied', 'denied'],
  ['ListBucket, TLS 1.1', list({ tls: '1.1' }), 'denied', 'denied'],
  ['DeleteObject, TLS 1.2', del(), 'allowed', 'allowed'],
  ['DeleteObject over HTTP', del(http), 'denied', 'denied'],
  ['DeleteObject, TLS 1.0', del({ tls: '1.0' }), 'denied', 'denied'],
  ['DeleteObject, TLS 1.1', del({ tls: '1.1' }), 'denied', 'denied'],
  ['CopyObject into the bucket with AES256', copyInto({ sse: 'AES256' }), 'allowed', 'allowed'],
  ['CopyObject into the bucket with no header', copyInto(), 'denied', 'allowed'],
  ['CopyObject into the bucket with aws:kms', copyInto({ sse: 'aws:kms' }), 'denied', 'denied'],
  ['CopyObject into the bucket with SSE-C', copyInto(sseC), 'denied', 'allowed'],
  ['CopyObject into the bucket over HTTP', copyInto({ sse: 'AES256', ...http }), 'denied', 'denied'],
  ['CopyObject into the bucket, TLS 1.1', copyInto({ sse: 'AES256', tls: '1.1' }), 'denied', 'denied'],
  ['CreateMultipartUpload AES256', createMultipartUpload({ sse: 'AES256' }), 'allowed', 'allowed'],
  ['CreateMultipartUpload with no header', createMultipartUpload(), 'denied', 'allowed'],
  ['CreateMultipartUpload aws:kms', createMultipartUpload({ sse: 'aws:kms' }), 'denied', 'denied'],
  ['CreateMultipartUpload over HTTP', createMultipartUpload({ sse: 'AES256', ...http }), 'denied', 'denied'],
  ['UploadPart of an AES256 upload', uploadPart({ sse: 'AES256' }), 'allowed', 'allowed'],
  ['UploadPart of an AES256 upload, TLS 1.3', uploadPart({ sse: 'AES256', tls: '1.3' }), 'allowed', 'allowed'],
  ['UploadPart over HTTP', uploadPart({ sse: 'AES256', ...http }), 'denied', 'denied'],
  ['UploadPart, TLS 1.1', uploadPart({ sse: 'AES256', tls: '1.1' }), 'denied', 'denied'],
  ['UploadPart if S3 sent no SSE context', uploadPart(), 'denied', 'allowed'],
  ['CompleteMultipartUpload of an AES256 upload', completeMultipartUpload({ sse: 'AES256' }), 'allowed', 'allowed'],
  ['CompleteMultipartUpload if S3 sent no SSE context', completeMultipartUpload(), 'denied', 'allowed'],
  ['CompleteMultipartUpload over HTTP', completeMultipartUpload({ sse: 'AES256', ...http }), 'denied', 'denied'],
];

describe('EncryptedBucket request matrix (verdicts from @cloud-copilot/iam-simulate)', () => {
  // The verdicts come from the statements, and the table exercises each of them: removing one lets in a row it denied.
  test.each(Object.values(UploadHeaderRule).flatMap((rule) => bucketPolicySids(templates[rule]).map((sid) => [rule, sid] as const)))(
    '%s: every statement decides a row (%s)', async (rule, sid) => {
      const denied = matrix.filter((row) => row[rule === UploadHeaderRule.REQUIRED ? 2 : 3] === 'denied').map(([, request]) => request);
      expect(await requestDeniedOnlyBy(templates[rule], sid, denied)).toBeDefined();
    });

  test.each(matrix)('%s: REQUIRED %#', async (_what, request, required) => {
    expect(await simulate(templates[UploadHeaderRule.REQUIRED], request)).toBe(required);
  });

  test.each(matrix)('%s: MATCH_IF_PRESENT %#', async (_what, request, _required, matchIfPresent) => {
    expect(await simulate(templates[UploadHeaderRule.MATCH_IF_PRESENT], request)).toBe(matchIfPresent);
  });
});
