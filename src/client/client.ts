/**
 * An S3 encryption client for TypeScript that writes and reads the S3 Encryption Client V2 object format
 * (AES-256-GCM content, data key from AWS KMS wrapped with `kms+context`), so that objects move between it and
 * the AWS S3 Encryption Clients for Java, Python, Go, .NET, C++, Ruby and PHP.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, Writable, pipeline as pipelineCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { GetObjectCommandInput, GetObjectCommandOutput, PutObjectCommandInput, PutObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { chunkedView, normalizePlaintextBody, responseBodyToReadable, type NormalizedBody, type PlaintextBody } from './body';
import { CbcDecryptStream, GcmDecryptStream, GcmEncryptStream, encryptGcm } from './crypto';
import { S3EncryptionClientError } from './errors';
import {
  ContentAlgorithm,
  DATA_KEY_LENGTH,
  EC_CONTENT_ALGORITHM_KEY,
  GCM_IV_LENGTH,
  GCM_MAX_PLAINTEXT_LENGTH,
  GCM_TAG_LENGTH,
  S3_USER_METADATA_LIMIT,
  WrapAlgorithm,
  buildV2Metadata,
  contextsEqual,
  hasEncryptionMetadata,
  parseContentMetadata,
  userMetadataSize,
  userPartOfContext,
  validateUserEncryptionContext,
  type ContentMetadata,
  type EncryptionContext,
} from './metadata';
import { kmsCommands, s3Commands } from './sdk';

/** Default for `bufferSize`: the most plaintext an authenticated (non-delayed) read holds in memory. */
export const DEFAULT_BUFFER_SIZE = 64 * 1024 * 1024;
/** In-memory bodies up to this size are encrypted in one call and sent as a Buffer (which the SDK can retry). */
export const ONE_SHOT_ENCRYPTION_LIMIT = 16 * 1024 * 1024;
/** Chunk size used to stream a large in-memory body through the cipher. */
const STREAM_CHUNK_SIZE = 64 * 1024;
/** Largest instruction file read. */
const INSTRUCTION_FILE_LIMIT = 64 * 1024;
const INSTRUCTION_FILE_SUFFIX = '.instruction';

/** Configuration of an `S3EncryptionClient`. */
export interface S3EncryptionClientConfig {
  /** Your `S3Client` from `@aws-sdk/client-s3` (region, credentials, retries are yours). */
  readonly s3Client: S3Client;
  /** Your `KMSClient` from `@aws-sdk/client-kms`. */
  readonly kmsClient: KMSClient;
  /**
   * The KMS key that wraps data keys: key id, key ARN, alias name or alias ARN. Every Decrypt call names it,
   * so objects whose data key was wrapped under another key are refused by KMS.
   */
  readonly kmsKeyId: string;
  /**
   * Shorthand for both `enableLegacyWrappingAlgorithms` and `enableLegacyUnauthenticatedModes`.
   * @default false
   */
  readonly allowLegacy?: boolean;
  /**
   * Read objects whose data key was wrapped with the legacy `kms` algorithm (no content algorithm in the
   * encryption context). Writing always uses `kms+context`.
   * @default false
   */
  readonly enableLegacyWrappingAlgorithms?: boolean;
  /**
   * Read objects encrypted with legacy unauthenticated AES-CBC. Their integrity is not verified.
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
   * Source of random bytes for IVs. Must be a cryptographically secure generator: a repeated IV under the same
   * data key breaks AES-GCM. Only for known-answer tests.
   * @default crypto.randomBytes
   */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/**
 * `PutObject` input with a plaintext `Body`. `ContentLength`, when given, is the plaintext length (as with the
 * plain S3 client); the client sends `ContentLength + 16`. Plaintext checksums (`ContentMD5`, `Checksum*`
 * values) are refused because S3 would check them against the ciphertext: use `ChecksumAlgorithm` instead.
 */
export type EncryptedPutObjectInput = Omit<PutObjectCommandInput, 'Body'> & {
  readonly Body: PlaintextBody;
  /** Encryption context bound to the wrapped data key (stored in `x-amz-matdesc`, not secret). */
  readonly EncryptionContext?: Record<string, string>;
};

/** `GetObject` input. Ranged and part-number reads are not supported. */
export type DecryptGetObjectInput = GetObjectCommandInput & {
  /**
   * The encryption context the caller expects: it must equal the stored one without the client's reserved keys,
   * as in the other S3 Encryption Clients.
   * @default {}
   */
  readonly EncryptionContext?: Record<string, string>;
};

/** Per-call options of `getObject`. */
export interface GetObjectOptions {
  /** Overrides the client's `enableDelayedAuthentication` for this call. */
  readonly delayedAuthentication?: boolean;
}

/** What a decrypting read returns besides the body. */
export type DecryptedObjectInfo = Omit<GetObjectCommandOutput, 'Body'> & {
  /** The plaintext length, when known before reading. */
  readonly ContentLength?: number;
  /** The stored encryption context without the client's reserved keys. */
  readonly EncryptionContext: Record<string, string>;
  /** `x-amz-cek-alg` of the object. */
  readonly ContentAlgorithm: string;
  /** `x-amz-wrap-alg` of the object. */
  readonly WrapAlgorithm: string;
};

/** A decrypting read's result with a body of type `B`. */
export type DecryptedGetObjectOutput<B> = DecryptedObjectInfo & { readonly Body: B };

/** The prepared `PutObject` input: ciphertext body and encryption metadata. */
export type EncryptedPutObjectCommandInput = PutObjectCommandInput & {
  readonly Body: Buffer | Readable;
  readonly Metadata: Record<string, string>;
};

interface OpenedObject {
  readonly info: DecryptedObjectInfo;
  readonly body: Readable;
  readonly decrypt: GcmDecryptStream | CbcDecryptStream;
}

/**
 * Client-side encryption for Amazon S3 in the S3 Encryption Client V2 format.
 *
 * ```ts
 * const client = new S3EncryptionClient({ s3Client: new S3Client({}), kmsClient: new KMSClient({}), kmsKeyId });
 * await client.putObject({ Bucket, Key, Body: 'secret', EncryptionContext: { tenant: 'a' } });
 * const { Body } = await client.getObjectAsBuffer({ Bucket, Key, EncryptionContext: { tenant: 'a' } });
 * ```
 */
export class S3EncryptionClient {
  private readonly s3: S3Client;
  private readonly kms: KMSClient;
  private readonly kmsKeyId: string;
  private readonly legacyWrapping: boolean;
  private readonly legacyContent: boolean;
  private readonly delayedAuthentication: boolean;
  private readonly bufferSize: number;
  private readonly random: (size: number) => Uint8Array;

  constructor(config: S3EncryptionClientConfig) {
    if (!config || typeof config.s3Client?.send !== 'function') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 's3Client must be an S3Client from @aws-sdk/client-s3');
    }
    if (config.s3Client instanceof S3EncryptionClient) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 's3Client must be a plain S3Client, not an S3EncryptionClient');
    }
    if (typeof config.kmsClient?.send !== 'function') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'kmsClient must be a KMSClient from @aws-sdk/client-kms');
    }
    if (typeof config.kmsKeyId !== 'string' || config.kmsKeyId.trim() === '') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'kmsKeyId must name the KMS key that wraps data keys (key id, key ARN or alias)');
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
    this.kms = config.kmsClient;
    this.kmsKeyId = config.kmsKeyId;
    this.legacyWrapping = Boolean(config.allowLegacy || config.enableLegacyWrappingAlgorithms);
    this.legacyContent = Boolean(config.allowLegacy || config.enableLegacyUnauthenticatedModes);
    this.delayedAuthentication = Boolean(config.enableDelayedAuthentication);
    this.bufferSize = bufferSize;
    this.random = config.randomBytes ?? cryptoRandomBytes;
  }

  /**
   * Encrypt `Body` and upload it with `PutObject`.
   *
   * A string or Buffer body up to 16 MiB is encrypted in memory and sent as a Buffer; a larger Buffer, a
   * Readable, web stream or Blob is encrypted as a stream while it uploads (a streamed upload cannot be retried
   * by the SDK: on failure, call `putObject` again, which draws a fresh data key and IV). A stream body needs
   * `ContentLength` (its plaintext length); for streams of unknown length use `encryptPutObjectInput` with
   * `@aws-sdk/lib-storage`'s `Upload`.
   */
  public async putObject(input: EncryptedPutObjectInput): Promise<PutObjectCommandOutput> {
    const { PutObjectCommand } = s3Commands();
    const prepared = await this.prepare(input, true);
    let streamError: unknown;
    if (prepared.Body instanceof Readable) {
      prepared.Body.on('error', (e) => { streamError = e; });
    }
    try {
      const output = await this.s3.send(new PutObjectCommand(prepared));
      if (streamError) throw streamError;
      return output;
    } catch (e) {
      if (prepared.Body instanceof Readable) discard(prepared.Body);
      throw streamError ?? e;
    }
  }

  /**
   * Encrypt without sending: returns the `PutObject` input (ciphertext `Body`, encryption `Metadata`,
   * `ContentLength` when the plaintext length is known). Pass it to `@aws-sdk/lib-storage`'s `Upload` for a
   * multipart upload of a stream of unknown length: the parts are consecutive slices of one GCM stream, which
   * is how the other S3 Encryption Clients write multipart objects.
   */
  public async encryptPutObjectInput(input: EncryptedPutObjectInput): Promise<EncryptedPutObjectCommandInput> {
    return this.prepare(input, false);
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
   * it resolves), and undo whatever you did with the data if it rejects.
   */
  public async getObject(input: DecryptGetObjectInput, options: GetObjectOptions = {}): Promise<DecryptedGetObjectOutput<Readable>> {
    const delayed = options.delayedAuthentication ?? this.delayedAuthentication;
    if (!delayed) {
      const { Body, ...info } = await this.getObjectAsBuffer(input);
      return { ...info, Body: chunkedView(Body, STREAM_CHUNK_SIZE) };
    }
    const opened = await this.open(input);
    pipelineCallback(opened.body, opened.decrypt, () => { /* errors surface on the returned stream */ });
    return { ...opened.info, Body: opened.decrypt };
  }

  /**
   * Download, decrypt and authenticate an object into one Buffer, returned only after authentication.
   * Holds the plaintext once (no second copy); limited to `bufferSize` bytes.
   */
  public async getObjectAsBuffer(input: DecryptGetObjectInput): Promise<DecryptedGetObjectOutput<Buffer>> {
    const opened = await this.open(input);
    const limit = this.bufferSize;
    const known = opened.info.ContentLength;
    if (known !== undefined && known > limit) {
      discard(opened.body);
      throw bufferLimit(known, limit);
    }
    const target = known !== undefined ? Buffer.alloc(known) : undefined;
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
      throw e;
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
  public async getObjectToFile(input: DecryptGetObjectInput, filePath: string): Promise<DecryptedObjectInfo> {
    const opened = await this.open(input);
    const target = path.resolve(filePath);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${cryptoRandomBytes(6).toString('hex')}.s3ec-partial`);
    try {
      await pipeline(opened.body, opened.decrypt, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return { ...opened.info, ContentLength: opened.decrypt.plaintextLength };
  }

  private async prepare(input: EncryptedPutObjectInput, requireLength: boolean): Promise<EncryptedPutObjectCommandInput> {
    if (!input || typeof input !== 'object') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'putObject needs an input object');
    }
    const { Body: plaintextBody, EncryptionContext: userContext, ContentLength: declaredLength, Metadata: userMetadata, ...rest } = input;
    for (const key of Object.keys(rest)) {
      if ((key === 'ContentMD5' || (key.startsWith('Checksum') && key !== 'ChecksumAlgorithm')) && (rest as Record<string, unknown>)[key] !== undefined) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT',
          `${key} would describe the plaintext, but S3 checks it against the ciphertext; use ChecksumAlgorithm to have the SDK checksum the ciphertext`);
      }
    }
    for (const key of Object.keys(userMetadata ?? {})) {
      if (key.toLowerCase().startsWith('x-amz-')) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT', `Metadata key ${key}: the x-amz- prefix is reserved for S3 Encryption Client metadata`);
      }
    }
    const context = validateUserEncryptionContext(userContext, 'putObject');
    const body = normalizePlaintextBody(plaintextBody);
    const plaintextLength = plaintextLengthOf(body, declaredLength);
    if (requireLength && plaintextLength === undefined) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        'ContentLength (the plaintext length in bytes) is required for a stream Body: PutObject needs the length up front, and the ciphertext is '
        + 'ContentLength + 16 bytes. For a stream of unknown length, pass encryptPutObjectInput() to @aws-sdk/lib-storage Upload (multipart)');
    }
    if (plaintextLength !== undefined && plaintextLength > GCM_MAX_PLAINTEXT_LENGTH) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `AES-GCM encrypts at most ${GCM_MAX_PLAINTEXT_LENGTH} bytes under one data key and IV`);
    }

    // Materials: a fresh data key from KMS, bound to the content algorithm, and a fresh IV.
    const encryptionContext: EncryptionContext = { ...context, [EC_CONTENT_ALGORITHM_KEY]: ContentAlgorithm.AES_GCM };
    const { GenerateDataKeyCommand } = kmsCommands();
    const generated = await this.kms.send(new GenerateDataKeyCommand({
      KeyId: this.kmsKeyId,
      KeySpec: 'AES_256',
      EncryptionContext: encryptionContext,
    }));
    if (!generated.Plaintext || generated.Plaintext.length !== DATA_KEY_LENGTH
      || !generated.CiphertextBlob || generated.CiphertextBlob.length === 0) {
      throw new S3EncryptionClientError('KMS_RESPONSE_INVALID',
        `KMS GenerateDataKey did not return a ${DATA_KEY_LENGTH}-byte plaintext data key and its ciphertext blob`);
    }
    const dataKey = Buffer.from(generated.Plaintext);
    generated.Plaintext.fill(0);
    const iv = Buffer.from(this.random(GCM_IV_LENGTH));
    if (iv.length !== GCM_IV_LENGTH || iv.every((b) => b === 0)) {
      dataKey.fill(0);
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `the random source returned ${iv.length === GCM_IV_LENGTH ? 'an all-zero' : 'a wrong-length'} IV`);
    }

    const metadata = {
      ...(userMetadata ?? {}),
      ...buildV2Metadata({ encryptedDataKey: generated.CiphertextBlob, iv, encryptionContext, plaintextLength }),
    };
    const metadataSize = userMetadataSize(metadata);
    if (metadataSize > S3_USER_METADATA_LIMIT) {
      dataKey.fill(0);
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        `the object metadata would be ${metadataSize} bytes, over S3's ${S3_USER_METADATA_LIMIT}-byte limit for user-defined metadata; `
        + 'use a shorter encryption context or fewer Metadata entries');
    }

    let ciphertext: Buffer | Readable;
    try {
      if (body.kind === 'bytes' && body.bytes.length <= ONE_SHOT_ENCRYPTION_LIMIT) {
        ciphertext = encryptGcm(dataKey, iv, body.bytes);
      } else {
        const source = body.kind === 'bytes' ? chunkedView(body.bytes, STREAM_CHUNK_SIZE) : body.stream;
        const encrypt = new GcmEncryptStream(dataKey, iv, plaintextLength);
        pipelineCallback(source, encrypt, () => { /* errors surface on the encrypting stream */ });
        ciphertext = encrypt;
      }
    } finally {
      dataKey.fill(0); // the cipher holds its own copy of the key
    }

    return {
      ...rest,
      Body: ciphertext,
      ContentLength: plaintextLength === undefined ? undefined : plaintextLength + GCM_TAG_LENGTH,
      Metadata: metadata,
    };
  }

  private async open(input: DecryptGetObjectInput): Promise<OpenedObject> {
    if (!input || typeof input !== 'object') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'getObject needs an input object');
    }
    const { EncryptionContext: expectedInput, ...s3Input } = input;
    if (s3Input.Range !== undefined || s3Input.PartNumber !== undefined) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        'ranged and part-number reads are not supported: AES-GCM authenticates the whole object, so the client reads it whole');
    }
    const expected = validateUserEncryptionContext(expectedInput, 'getObject');
    const { GetObjectCommand } = s3Commands();
    const response = await this.s3.send(new GetObjectCommand(s3Input));
    const body = responseBodyToReadable(response.Body);
    try {
      if (response.ContentRange !== undefined) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT', 'S3 returned a partial object (Content-Range) for a whole-object request');
      }
      let rawMetadata = response.Metadata ?? {};
      if (!hasEncryptionMetadata(rawMetadata)) {
        rawMetadata = await this.readInstructionFile(s3Input);
      }
      const meta = parseContentMetadata(rawMetadata, { legacyWrapping: this.legacyWrapping, legacyContent: this.legacyContent });
      const plaintextLength = checkLengths(meta, response.ContentLength);

      const stored = userPartOfContext(meta.encryptionContext);
      if ((meta.wrapAlgorithm === WrapAlgorithm.KMS_CONTEXT || expectedInput !== undefined) && !contextsEqual(stored, expected)) {
        throw new S3EncryptionClientError('ENCRYPTION_CONTEXT_MISMATCH',
          `the object's encryption context ${JSON.stringify(stored)} is not the expected ${JSON.stringify(expected)}`);
      }

      const dataKey = await this.unwrap(meta);
      let decrypt: GcmDecryptStream | CbcDecryptStream;
      try {
        decrypt = meta.contentAlgorithm === ContentAlgorithm.AES_GCM
          ? new GcmDecryptStream(dataKey, meta.iv, plaintextLength)
          : new CbcDecryptStream(dataKey, meta.iv, plaintextLength);
      } finally {
        dataKey.fill(0);
      }
      const { Body: _ignored, ...rest } = response;
      const info: DecryptedObjectInfo = {
        ...rest,
        ContentLength: plaintextLength,
        EncryptionContext: stored,
        ContentAlgorithm: meta.contentAlgorithm,
        WrapAlgorithm: meta.wrapAlgorithm,
      };
      return { info, body, decrypt };
    } catch (e) {
      discard(body);
      throw e;
    }
  }

  private async unwrap(meta: ContentMetadata): Promise<Buffer> {
    const { DecryptCommand } = kmsCommands();
    let plaintext: Uint8Array | undefined;
    try {
      const response = await this.kms.send(new DecryptCommand({
        KeyId: this.kmsKeyId,
        CiphertextBlob: meta.encryptedDataKey,
        EncryptionContext: meta.encryptionContext,
      }));
      plaintext = response.Plaintext;
    } catch (e) {
      const err = e as { name?: string; message?: string };
      throw new S3EncryptionClientError('KEY_UNWRAP_FAILED',
        `AWS KMS did not decrypt the data key (${err.name ?? 'Error'}: ${err.message ?? String(e)}). The wrapped key (x-amz-key-v2) or the `
        + `encryption context (x-amz-matdesc) was altered, the data key was wrapped under another KMS key than ${this.kmsKeyId}, `
        + 'or the caller may not use kms:Decrypt', { cause: e });
    }
    if (!plaintext || plaintext.length !== DATA_KEY_LENGTH) {
      throw new S3EncryptionClientError('KEY_UNWRAP_FAILED', `AWS KMS returned a data key of ${plaintext?.length ?? 0} bytes, expected ${DATA_KEY_LENGTH}`);
    }
    const key = Buffer.from(plaintext);
    plaintext.fill(0);
    return key;
  }

  private async readInstructionFile(s3Input: GetObjectCommandInput): Promise<Record<string, string>> {
    const { GetObjectCommand } = s3Commands();
    let response: GetObjectCommandOutput;
    try {
      response = await this.s3.send(new GetObjectCommand({
        Bucket: s3Input.Bucket,
        Key: `${s3Input.Key}${INSTRUCTION_FILE_SUFFIX}`,
        ExpectedBucketOwner: s3Input.ExpectedBucketOwner,
        RequestPayer: s3Input.RequestPayer,
      }));
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      const status = err.$metadata?.httpStatusCode;
      if (err.name === 'NoSuchKey' || err.name === 'NotFound' || status === 404 || status === 403) {
        throw new S3EncryptionClientError('NOT_ENCRYPTED',
          'the object has no S3 Encryption Client metadata and no readable instruction file: it was not written by an S3 Encryption Client',
          { cause: e });
      }
      throw e;
    }
    const text = await readSmall(responseBodyToReadable(response.Body), INSTRUCTION_FILE_LIMIT);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new S3EncryptionClientError('METADATA_INVALID', 'the instruction file is not valid JSON', { cause: e });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)
      || Object.values(parsed as Record<string, unknown>).some((v) => typeof v !== 'string')) {
      throw new S3EncryptionClientError('METADATA_INVALID', 'the instruction file must be a JSON object of strings');
    }
    return parsed as Record<string, string>;
  }
}

function plaintextLengthOf(body: NormalizedBody, declared: number | undefined): number | undefined {
  if (declared !== undefined && (!Number.isSafeInteger(declared) || declared < 0)) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', 'ContentLength must be a non-negative integer');
  }
  const known = body.kind === 'bytes' ? body.bytes.length : body.length;
  if (known !== undefined && declared !== undefined && known !== declared) {
    throw new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH', `ContentLength is ${declared} but the body is ${known} bytes`);
  }
  return known ?? declared;
}

/** Check the stored lengths against each other before any decryption; return the plaintext length if known. */
function checkLengths(meta: ContentMetadata, contentLength: number | undefined): number | undefined {
  const declared = meta.unencryptedContentLength;
  if (meta.contentAlgorithm === ContentAlgorithm.AES_GCM) {
    if (contentLength === undefined) return declared;
    if (contentLength < GCM_TAG_LENGTH) {
      throw new S3EncryptionClientError('AUTHENTICATION_FAILED',
        `the object is ${contentLength} bytes, shorter than the ${GCM_TAG_LENGTH}-byte AES-GCM tag: it is truncated`);
    }
    const plaintextLength = contentLength - GCM_TAG_LENGTH;
    if (declared !== undefined && declared !== plaintextLength) {
      throw new S3EncryptionClientError('METADATA_INVALID',
        `x-amz-unencrypted-content-length says ${declared} bytes but the ciphertext holds ${plaintextLength}: the object or its metadata was altered`);
    }
    return plaintextLength;
  }
  // Legacy CBC: PKCS#7 always adds 1 to 16 bytes of padding.
  if (contentLength !== undefined) {
    if (contentLength === 0 || contentLength % 16 !== 0) {
      throw new S3EncryptionClientError('AUTHENTICATION_FAILED',
        `an AES-CBC object must be a positive multiple of 16 bytes, this one is ${contentLength}`);
    }
    if (declared !== undefined && (declared >= contentLength || declared < contentLength - 16)) {
      throw new S3EncryptionClientError('METADATA_INVALID',
        `x-amz-unencrypted-content-length says ${declared} bytes, impossible for ${contentLength} bytes of AES-CBC ciphertext`);
    }
  }
  return declared;
}

async function readSmall(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > limit) {
      discard(stream);
      throw new S3EncryptionClientError('METADATA_INVALID', `the instruction file is larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Stop reading a stream we no longer need; late errors (a socket reset, a file gone) are ignored. */
function discard(stream: Readable): void {
  stream.on('error', () => { /* nothing left to report to */ });
  stream.destroy();
}

function bufferLimit(size: number, limit: number): S3EncryptionClientError {
  return new S3EncryptionClientError('BUFFER_LIMIT_EXCEEDED',
    `the object (${size} bytes of plaintext) is larger than bufferSize (${limit} bytes), the most the client holds in memory to authenticate `
    + 'before releasing plaintext; use getObjectToFile(), raise bufferSize, or accept delayed authentication');
}
