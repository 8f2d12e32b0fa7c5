/**
 * An S3 encryption client for TypeScript that writes and reads the S3 Encryption Client object formats V2 and V3
 * (AES-256-GCM content; V3 adds HKDF-SHA512 key derivation and key commitment, suite 115), so that objects move
 * between it and the AWS S3 Encryption Clients for Java, Python, Go, .NET, C++, Ruby and PHP.
 *
 * This file is the public surface. The work is done along the seams AWS's clients use: keyrings (`keyrings.ts`),
 * the materials manager and commitment policy (`materials.ts`, `commitment.ts`), content ciphers per algorithm
 * suite (`suites.ts`, `crypto.ts`) and the metadata strategy (`metadata.ts`, `strategy.ts`), put together by the
 * write path (`encrypt.ts`) and the read path (`decrypt.ts`).
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough, Readable, Writable, pipeline as pipelineCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { PutObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { chunkedView } from './body';
import { CommitmentPolicy, checkCommitmentPolicy, requiresCommittedDecryption } from './commitment';
import { openDecryptedObject, type DecryptEnv } from './decrypt';
import { STREAM_CHUNK_SIZE, prepareEncryptedPut, type EncryptEnv, type PreparedPut } from './encrypt';
import { S3EncryptionClientError } from './errors';
import type {
  DecryptedGetObjectOutput, DecryptedObjectInfo, DecryptGetObjectInput, EncryptedPutObjectCommandInput, EncryptedPutObjectInput,
} from './io';
import { KmsKeyring, type Keyring } from './keyrings';
import { DefaultMaterialsManager } from './materials';
import { s3Commands } from './sdk';
import { MetadataStrategy, INSTRUCTION_FILE_SUFFIX } from './strategy';
import { abortedOr, bodyFailed, bufferLimit, classifyPutError, discard, linkAbort } from './streams';

export { ONE_SHOT_ENCRYPTION_LIMIT } from './encrypt';
export type {
  DecryptedGetObjectOutput, DecryptedObjectInfo, DecryptGetObjectInput, EncryptedPutObjectCommandInput, EncryptedPutObjectInput,
} from './io';

/** Default for `bufferSize`: the most plaintext an authenticated (non-delayed) read holds in memory. */
export const DEFAULT_BUFFER_SIZE = 64 * 1024 * 1024;

/** Configuration of an `S3EncryptionClient`. */
export interface S3EncryptionClientConfig {
  /** Your `S3Client` from `@aws-sdk/client-s3` (region, credentials, retries, timeouts are yours). */
  readonly s3Client: S3Client;
  /** Your `KMSClient` from `@aws-sdk/client-kms`. Shorthand for `keyring: new KmsKeyring({ kmsClient, kmsKeyId })`. */
  readonly kmsClient?: KMSClient;
  /**
   * The KMS key that wraps data keys: key id, key ARN, alias name or alias ARN. Every Decrypt call names it,
   * so objects whose data key was wrapped under another key are refused by KMS.
   */
  readonly kmsKeyId?: string;
  /**
   * Where data keys come from: `KmsKeyring`, `RawAesKeyring` or `RawRsaKeyring`. Give either this or
   * `kmsClient` and `kmsKeyId`.
   */
  readonly keyring?: Keyring;
  /**
   * Which formats the client writes and reads. `REQUIRE_ENCRYPT_REQUIRE_DECRYPT` (AWS's default) writes V3
   * (key-committing) and refuses V2 and legacy objects with `COMMITMENT_POLICY_VIOLATION`; see docs/CLIENT.md
   * for the three-step migration.
   * @default CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
   */
  readonly commitmentPolicy?: CommitmentPolicy;
  /**
   * Where `putObject` stores the encryption metadata: in the object's metadata, or (part of it, for V3) in an
   * instruction file `<key>.instruction` next to the object. Reads find either.
   * @default MetadataStrategy.OBJECT_METADATA
   */
  readonly metadataStrategy?: MetadataStrategy;
  /**
   * Shorthand for both `enableLegacyWrappingAlgorithms` and `enableLegacyUnauthenticatedModes`.
   * @default false
   */
  readonly allowLegacy?: boolean;
  /**
   * Read objects whose data key was wrapped with the legacy `kms` algorithm (no content algorithm in the
   * encryption context). Writing always uses `kms+context`. Not with `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`.
   * @default false
   */
  readonly enableLegacyWrappingAlgorithms?: boolean;
  /**
   * Read objects encrypted with legacy unauthenticated AES-CBC. Their integrity is not verified. Not with
   * `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`.
   * @default false
   */
  readonly enableLegacyUnauthenticatedModes?: boolean;
  /**
   * Delayed authentication: `getObject` streams plaintext as it is decrypted, before the AES-GCM tag at the
   * end of the object is verified; the stream errors at its end if authentication fails. Per call, override
   * with `getObject(input, { delayedAuthentication })`.
   * @default false
   */
  readonly enableDelayedAuthentication?: boolean;
  /**
   * Most plaintext bytes that `getObject` (without delayed authentication) and `getObjectAsBuffer` hold in memory
   * while they authenticate. Larger objects are refused with `BUFFER_LIMIT_EXCEEDED`: read them with
   * `getObjectToFile` or with delayed authentication.
   * @default 64 MiB
   */
  readonly bufferSize?: number;
  /**
   * Source of random bytes for IVs and message ids. Must be a cryptographically secure generator: a repeated IV
   * under the same data key breaks AES-GCM. Only for known-answer tests.
   * @default crypto.randomBytes
   */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/** Per-call options of every operation. */
export interface CallOptions {
  /**
   * Cancels the call: the S3 and KMS requests, the body streams and any wait. The call rejects with `ABORTED`.
   * Use `AbortSignal.timeout(ms)` for a deadline (a stalled download otherwise waits as long as the `S3Client`'s
   * request handler lets it).
   */
  readonly abortSignal?: AbortSignal;
}

/** Per-call options of `getObject`. */
export interface GetObjectOptions extends CallOptions {
  /** Overrides the client's `enableDelayedAuthentication` for this call. */
  readonly delayedAuthentication?: boolean;
}

/**
 * Client-side encryption for Amazon S3 in the S3 Encryption Client formats V3 (default) and V2.
 *
 * ```ts
 * const client = new S3EncryptionClient({ s3Client: new S3Client({}), kmsClient: new KMSClient({}), kmsKeyId });
 * await client.putObject({ Bucket, Key, Body: 'secret', EncryptionContext: { tenant: 'a' } });
 * const { Body } = await client.getObjectAsBuffer({ Bucket, Key, EncryptionContext: { tenant: 'a' } });
 * ```
 */
export class S3EncryptionClient {
  private readonly s3: S3Client;
  private readonly materials: DefaultMaterialsManager;
  private readonly strategy: MetadataStrategy;
  private readonly delayedAuthentication: boolean;
  private readonly bufferSize: number;
  private readonly encryptEnv: EncryptEnv;
  private readonly decryptEnv: DecryptEnv;

  constructor(config: S3EncryptionClientConfig) {
    if (!config || typeof config.s3Client?.send !== 'function') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 's3Client must be an S3Client from @aws-sdk/client-s3');
    }
    if (config.s3Client instanceof S3EncryptionClient) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 's3Client must be a plain S3Client, not an S3EncryptionClient');
    }
    const policy = checkCommitmentPolicy(config.commitmentPolicy);
    const legacyWrapping = Boolean(config.allowLegacy || config.enableLegacyWrappingAlgorithms);
    const legacyContent = Boolean(config.allowLegacy || config.enableLegacyUnauthenticatedModes);
    if ((legacyWrapping || legacyContent) && requiresCommittedDecryption(policy)) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        `legacy modes (allowLegacy, enableLegacy*) cannot be combined with commitmentPolicy ${policy}, which reads only key-committing objects; `
        + `use ${CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT} or ${CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT} to read legacy objects`);
    }
    let keyring: Keyring;
    if (config.keyring !== undefined) {
      if (config.kmsClient !== undefined || config.kmsKeyId !== undefined) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT', 'give either keyring or kmsClient and kmsKeyId, not both');
      }
      if (typeof config.keyring?.onEncrypt !== 'function' || typeof config.keyring.onDecrypt !== 'function') {
        throw new S3EncryptionClientError('INVALID_ARGUMENT', 'keyring must be a Keyring (KmsKeyring, RawAesKeyring, RawRsaKeyring)');
      }
      keyring = config.keyring;
    } else {
      if (typeof config.kmsClient?.send !== 'function') {
        throw new S3EncryptionClientError('INVALID_ARGUMENT', 'kmsClient must be a KMSClient from @aws-sdk/client-kms (or give a keyring)');
      }
      keyring = new KmsKeyring({ kmsClient: config.kmsClient, kmsKeyId: config.kmsKeyId as string, enableLegacyWrappingAlgorithms: legacyWrapping });
    }
    const strategy = config.metadataStrategy ?? MetadataStrategy.OBJECT_METADATA;
    if (!Object.values(MetadataStrategy).includes(strategy)) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `metadataStrategy must be one of ${Object.values(MetadataStrategy).join(', ')}`);
    }
    const bufferSize = config.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!Number.isSafeInteger(bufferSize) || bufferSize < 0) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'bufferSize must be a non-negative integer number of bytes');
    }
    if (config.enableDelayedAuthentication && config.bufferSize !== undefined) {
      // As in the specification: the buffer only exists when authentication is not delayed.
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'bufferSize cannot be set together with enableDelayedAuthentication');
    }
    this.s3 = config.s3Client;
    this.materials = new DefaultMaterialsManager(keyring, policy);
    this.strategy = strategy;
    this.delayedAuthentication = Boolean(config.enableDelayedAuthentication);
    this.bufferSize = bufferSize;
    this.encryptEnv = { materials: this.materials, strategy, random: config.randomBytes ?? cryptoRandomBytes };
    this.decryptEnv = { s3: this.s3, materials: this.materials, legacyWrapping, legacyContent };
  }

  /** The commitment policy in force. */
  public get commitmentPolicy(): CommitmentPolicy {
    return this.materials.commitmentPolicy;
  }

  /**
   * Encrypt `Body` and upload it with `PutObject`.
   *
   * A string or Buffer body up to 16 MiB is encrypted in memory and sent as a Buffer; a larger Buffer, a
   * Readable, web stream or Blob is encrypted as a stream while it uploads (a streamed upload cannot be retried
   * by the SDK: on failure, call `putObject` again, which draws a fresh data key). A stream body needs
   * `ContentLength` (its plaintext length); for streams of unknown length use `encryptPutObjectInput` with
   * `@aws-sdk/lib-storage`'s `Upload`.
   *
   * Every failure rejects the promise: an error of the body stream (before or during the upload) with
   * `BODY_STREAM_FAILED` (the stream's error is the `cause`), a body shorter or longer than `ContentLength` with
   * `CONTENT_LENGTH_MISMATCH`; the PUT is then cancelled, so S3 stores nothing.
   */
  public async putObject(input: EncryptedPutObjectInput, options: CallOptions = {}): Promise<PutObjectCommandOutput> {
    const { PutObjectCommand } = s3Commands();
    const controller = new AbortController();
    const unlink = linkAbort(options.abortSignal, controller);
    let prepared: PreparedPut | undefined;
    try {
      prepared = await prepareEncryptedPut(this.encryptEnv, input, true, controller.signal, options.abortSignal);
      const body = prepared.input.Body;
      let failure: unknown;
      let sent: Buffer | Readable = body;
      if (body instanceof Readable) {
        // The SDK wraps a stream body in streams of its own that re-emit its errors with nobody listening (an
        // uncaught exception). So the SDK gets a stream that never errors: on a failure we cancel the request and
        // end that stream quietly, and report the failure ourselves.
        const safe = new PassThrough();
        const fail = (e: unknown) => {
          if (failure !== undefined) return;
          failure = e;
          controller.abort(e);
          body.unpipe(safe);
          safe.destroy();
        };
        body.on('error', fail);
        prepared.source?.on('error', fail);
        body.pipe(safe);
        sent = safe;
      }
      let output: PutObjectCommandOutput;
      try {
        output = await this.s3.send(new PutObjectCommand({ ...prepared.input, Body: sent }), { abortSignal: controller.signal as never });
      } catch (e) {
        throw failure !== undefined ? bodyFailed(failure) : e;
      }
      if (failure !== undefined) throw bodyFailed(failure);
      if (prepared.instruction) {
        await this.s3.send(new PutObjectCommand({
          Bucket: input.Bucket,
          Key: `${input.Key}${INSTRUCTION_FILE_SUFFIX}`,
          Body: JSON.stringify(prepared.instruction),
          ContentType: 'application/json',
          ExpectedBucketOwner: input.ExpectedBucketOwner,
          RequestPayer: input.RequestPayer,
        }), { abortSignal: controller.signal as never });
      }
      return output;
    } catch (e) {
      if (prepared?.input.Body instanceof Readable) discard(prepared.input.Body);
      if (prepared?.source) discard(prepared.source);
      throw classifyPutError(e, options.abortSignal);
    } finally {
      unlink();
    }
  }

  /**
   * Encrypt without sending: returns the `PutObject` input (ciphertext `Body`, encryption `Metadata`,
   * `ContentLength` when the plaintext length is known). Pass it to `@aws-sdk/lib-storage`'s `Upload` for a
   * multipart upload of a stream of unknown length: the parts are consecutive slices of one GCM stream, which
   * is how the other S3 Encryption Clients write multipart objects. Errors of the plaintext stream surface on the
   * returned `Body` (`BODY_STREAM_FAILED`). Needs the object-metadata strategy.
   */
  public async encryptPutObjectInput(input: EncryptedPutObjectInput, options: CallOptions = {}): Promise<EncryptedPutObjectCommandInput> {
    if (this.strategy !== MetadataStrategy.OBJECT_METADATA) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        'encryptPutObjectInput returns one PutObject input, so it needs metadataStrategy OBJECT_METADATA; use putObject to write an instruction file');
    }
    try {
      return (await prepareEncryptedPut(this.encryptEnv, input, false, options.abortSignal, options.abortSignal)).input;
    } catch (e) {
      throw classifyPutError(e, options.abortSignal);
    }
  }

  /**
   * Download and decrypt an object.
   *
   * By default the promise resolves only after the whole object was decrypted **and authenticated**; its
   * `Body` streams the verified plaintext from memory. Objects larger than `bufferSize` (64 MiB) are refused:
   * use `getObjectToFile`, or delayed authentication.
   *
   * With delayed authentication, `Body` streams plaintext as it is decrypted and **before** it is authenticated;
   * if the object was altered, the stream emits an `AUTHENTICATION_FAILED` error at its end instead of `'end'`.
   * Treat nothing read from it as trustworthy until the stream has ended (with `stream/promises` `pipeline`, until
   * it resolves), and undo whatever you did with the data if it rejects. (The key commitment of a V3 object is
   * always checked before the first byte.)
   */
  public async getObject(input: DecryptGetObjectInput, options: GetObjectOptions = {}): Promise<DecryptedGetObjectOutput<Readable>> {
    const delayed = options.delayedAuthentication ?? this.delayedAuthentication;
    if (!delayed) {
      const { Body, ...info } = await this.getObjectAsBuffer(input, options);
      return { ...info, Body: chunkedView(Body, STREAM_CHUNK_SIZE) };
    }
    const opened = await openDecryptedObject(this.decryptEnv, input, options.abortSignal);
    pipelineCallback(opened.body, opened.decrypt, () => { opened.release(); });
    return { ...opened.info, Body: opened.decrypt };
  }

  /**
   * Download, decrypt and authenticate an object into one Buffer, returned only after authentication.
   * Holds the plaintext once (no second copy); limited to `bufferSize` bytes, and never allocates more than that
   * before the object is authenticated.
   */
  public async getObjectAsBuffer(input: DecryptGetObjectInput, options: CallOptions = {}): Promise<DecryptedGetObjectOutput<Buffer>> {
    const opened = await openDecryptedObject(this.decryptEnv, input, options.abortSignal);
    const limit = this.bufferSize;
    const known = opened.info.ContentLength;
    if (known !== undefined && known > limit) {
      opened.release();
      discard(opened.body);
      throw bufferLimit(known, limit);
    }
    // Preallocate only for a length S3 stated for this response (HTTP Content-Length, checked by the transport);
    // a length from metadata alone is unauthenticated, so a chunked response grows chunk by chunk.
    const target = known !== undefined && opened.lengthFromResponse ? Buffer.alloc(known) : undefined;
    const chunks: Buffer[] = [];
    let offset = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (offset + chunk.length > limit) {
          callback(bufferLimit(offset + chunk.length, limit));
          return;
        }
        if (target) {
          if (offset + chunk.length > target.length) {
            callback(new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH', 'the object decrypts to more bytes than its length says'));
            return;
          }
          chunk.copy(target, offset);
          chunk.fill(0);
        } else {
          chunks.push(chunk);
        }
        offset += chunk.length;
        callback();
      },
    });
    try {
      await pipeline(opened.body, opened.decrypt, sink);
    } catch (e) {
      target?.fill(0);
      chunks.forEach((c) => c.fill(0));
      throw abortedOr(e, options.abortSignal);
    } finally {
      opened.release();
    }
    let plaintext: Buffer;
    if (target) {
      if (offset !== target.length) {
        target.fill(0);
        throw new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH', `the object decrypted to ${offset} bytes, expected ${target.length}`);
      }
      plaintext = target;
    } else {
      plaintext = Buffer.concat(chunks);
      chunks.forEach((c) => c.fill(0));
    }
    return { ...opened.info, ContentLength: plaintext.length, Body: plaintext };
  }

  /**
   * Download and decrypt an object into a file, with constant memory. The plaintext is written to a private
   * temporary file (mode 0600) next to `filePath` and renamed to `filePath` only after authentication; on any
   * failure the temporary file is removed and `filePath` is left untouched.
   */
  public async getObjectToFile(input: DecryptGetObjectInput, filePath: string, options: CallOptions = {}): Promise<DecryptedObjectInfo> {
    const opened = await openDecryptedObject(this.decryptEnv, input, options.abortSignal);
    const target = path.resolve(filePath);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${cryptoRandomBytes(6).toString('hex')}.s3ec-partial`);
    try {
      await pipeline(opened.body, opened.decrypt, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw abortedOr(e, options.abortSignal);
    } finally {
      opened.release();
    }
    return { ...opened.info, ContentLength: opened.decrypt.plaintextLength };
  }
}
