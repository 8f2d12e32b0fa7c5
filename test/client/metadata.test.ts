/**
 * The V2 content-metadata map, checked against field names and rules written out by hand from the
 * specification (awslabs/aws-encryption-sdk-specification, s3-encryption/data-format/content-metadata.md).
 */
import {
  buildV2Metadata,
  decodeS3MetadataValue,
  parseContentMetadata,
  serializeEncryptionContext,
  validateUserEncryptionContext,
} from '../../src/client/metadata';

const strict = { legacyWrapping: false, legacyContent: false };
const legacy = { legacyWrapping: true, legacyContent: true };

/** A valid V2 map, written by hand from the specification's key names and values. */
function v2(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    'x-amz-key-v2': 'AQIDBA==',
    'x-amz-iv': 'yv66vvrO263eyviI', // cafebabefacedbaddecaf888
    'x-amz-cek-alg': 'AES/GCM/NoPadding',
    'x-amz-wrap-alg': 'kms+context',
    'x-amz-matdesc': '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","team":"blue"}',
    'x-amz-tag-len': '128',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

describe('writing V2 metadata', () => {
  test('matches the hand-built map for known inputs', () => {
    expect(buildV2Metadata({
      encryptedDataKey: Buffer.from([1, 2, 3, 4]),
      iv: Buffer.from('cafebabefacedbaddecaf888', 'hex'),
      encryptionContext: { 'team': 'blue', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' },
      plaintextLength: 64,
    })).toStrictEqual({
      'x-amz-key-v2': 'AQIDBA==',
      'x-amz-iv': 'yv66vvrO263eyviI',
      'x-amz-cek-alg': 'AES/GCM/NoPadding',
      'x-amz-wrap-alg': 'kms+context',
      'x-amz-matdesc': '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","team":"blue"}',
      'x-amz-tag-len': '128',
      'x-amz-unencrypted-content-length': '64',
    });
  });

  test('the encryption context is ASCII-only JSON that parses back to the same strings', () => {
    const context = { région: 'Zürich', team: '日本 🚀', quote: '"\\' };
    const json = serializeEncryptionContext(context);
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(json)).toStrictEqual(context);
  });
});

describe('reading V2 metadata', () => {
  test('accepts the hand-built map', () => {
    const parsed = parseContentMetadata(v2(), strict);
    expect(parsed).toMatchObject({
      format: 'V2',
      contentAlgorithm: 'AES/GCM/NoPadding',
      wrapAlgorithm: 'kms+context',
      encryptionContext: { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding', 'team': 'blue' },
    });
    expect(parsed.format === 'V2' && parsed.iv.toString('hex')).toBe('cafebabefacedbaddecaf888');
    expect([...parsed.encryptedDataKey]).toStrictEqual([1, 2, 3, 4]);
  });

  test('metadata keys are case-insensitive', () => {
    const upper = Object.fromEntries(Object.entries(v2()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(parseContentMetadata(upper, strict).contentAlgorithm).toBe('AES/GCM/NoPadding');
  });

  test('decodes the matdesc S3 returns RFC 2047-encoded when it holds non-ASCII characters', () => {
    const raw = '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","région":"Zürich"}';
    const b = `=?UTF-8?B?${Buffer.from(raw, 'utf8').toString('base64')}?=`;
    expect(decodeS3MetadataValue(b)).toBe(raw);
    expect(parseContentMetadata(v2({ 'x-amz-matdesc': b }), strict).encryptionContext['région']).toBe('Zürich');
    expect(decodeS3MetadataValue('=?UTF-8?Q?caf=C3=A9_au_lait?=')).toBe('café au lait');
    expect(decodeS3MetadataValue('{"plain":"value"}')).toBe('{"plain":"value"}');
  });

  test.each<[string, Record<string, string | undefined>, string, RegExp]>([
    ['no metadata at all', Object.fromEntries(Object.keys(v2()).map((k) => [k, undefined])), 'NOT_ENCRYPTED', /no S3 Encryption Client metadata/],
    ['missing wrapped key', { 'x-amz-key-v2': undefined }, 'METADATA_INVALID', /missing x-amz-key-v2/],
    ['missing wrapped key and algorithms', { 'x-amz-key-v2': undefined, 'x-amz-cek-alg': undefined, 'x-amz-wrap-alg': undefined, 'x-amz-tag-len': undefined },
      'METADATA_INVALID', /missing x-amz-key-v2/],
    ['V1 and V2 keys mixed', { 'x-amz-key': 'AQIDBA==' }, 'METADATA_INVALID', /mixes format versions/],
    ['V2 and V3 keys mixed', { 'x-amz-c': '115' }, 'METADATA_INVALID', /mixes format versions/],
    ['missing IV', { 'x-amz-iv': undefined }, 'METADATA_INVALID', /missing x-amz-iv/],
    ['missing matdesc', { 'x-amz-matdesc': undefined }, 'METADATA_INVALID', /missing x-amz-matdesc/],
    ['missing tag length', { 'x-amz-tag-len': undefined }, 'METADATA_INVALID', /x-amz-tag-len must be "128"/],
    ['96-bit tag', { 'x-amz-tag-len': '96' }, 'METADATA_INVALID', /x-amz-tag-len must be "128"/],
    ['IV of 16 bytes for GCM', { 'x-amz-iv': 'AAECAwQFBgcICQoLDA0ODw==' }, 'METADATA_INVALID', /must be 12 bytes/],
    ['IV not base64', { 'x-amz-iv': 'yv66vvrO263eyv!I' }, 'METADATA_INVALID', /not valid base64/],
    ['IV non-canonical base64', { 'x-amz-iv': 'AQIDBB==' }, 'METADATA_INVALID', /not canonical base64/],
    ['empty wrapped key', { 'x-amz-key-v2': '' }, 'METADATA_INVALID', /is empty/],
    ['unknown content algorithm', { 'x-amz-cek-alg': 'AES/CTR/NoPadding' }, 'METADATA_INVALID', /unknown content algorithm/],
    ['unknown wrapping algorithm', { 'x-amz-wrap-alg': 'kms+something' }, 'METADATA_INVALID', /unknown wrapping algorithm/],
    ['matdesc not JSON', { 'x-amz-matdesc': '{"team":' }, 'METADATA_INVALID', /not valid JSON/],
    ['matdesc an array', { 'x-amz-matdesc': '[]' }, 'METADATA_INVALID', /must be a JSON object/],
    ['matdesc with a number', { 'x-amz-matdesc': '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","n":1}' }, 'METADATA_INVALID', /is not a string/],
    ['context without the content algorithm', { 'x-amz-matdesc': '{"team":"blue"}' }, 'METADATA_INVALID', /lacks aws:x-amz-cek-alg/],
    ['context binding another algorithm', { 'x-amz-matdesc': '{"aws:x-amz-cek-alg":"AES/CBC/PKCS5Padding"}' }, 'METADATA_INVALID', /metadata was altered/],
    ['bad plaintext length', { 'x-amz-unencrypted-content-length': '-1' }, 'METADATA_INVALID', /not a byte count/],
    ['CBC downgrade with legacy off', { 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding' }, 'LEGACY_REFUSED', /ALG_AES_256_CBC_IV16_NO_KDF/],
    ['kms wrapping with legacy off', { 'x-amz-wrap-alg': 'kms' }, 'LEGACY_REFUSED', /legacy wrapping algorithm "kms"/],
  ])('refuses %s', (_name, overrides, code, message) => {
    let error: unknown;
    try {
      parseContentMetadata(v2(overrides), strict);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'S3EncryptionClientError', code });
    expect((error as Error).message).toMatch(message);
  });

  test('with legacy enabled, a CBC downgrade of a kms+context object is still caught by the bound context', () => {
    expect(() => parseContentMetadata(v2({ 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding', 'x-amz-tag-len': undefined, 'x-amz-iv': 'AAECAwQFBgcICQoLDA0ODw==' }), legacy))
      .toThrow(/the encryption context binds aws:x-amz-cek-alg = AES\/GCM\/NoPadding/);
  });

  test('with legacy enabled, a kms+context object relabelled as legacy kms is caught', () => {
    expect(() => parseContentMetadata(v2({ 'x-amz-wrap-alg': 'kms' }), legacy)).toThrow(/carries aws:x-amz-cek-alg/);
  });

  test('V1 objects are legacy, and unsupported even when legacy is allowed', () => {
    const v1 = { 'x-amz-key': 'AQIDBA==', 'x-amz-iv': 'AAECAwQFBgcICQoLDA0ODw==', 'x-amz-matdesc': '{}' };
    expect(() => parseContentMetadata(v1, strict)).toThrow(expect.objectContaining({ code: 'LEGACY_REFUSED' }));
    expect(() => parseContentMetadata(v1, legacy)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }));
  });

  test('raw-key wrappings parse (the keyring decides whether it can unwrap them)', () => {
    expect(parseContentMetadata(v2({ 'x-amz-wrap-alg': 'AES/GCM', 'x-amz-matdesc': '{}' }), strict).wrapAlgorithm).toBe('AES/GCM');
    expect(parseContentMetadata(v2({ 'x-amz-wrap-alg': 'RSA-OAEP-SHA1', 'x-amz-matdesc': '{}' }), strict).wrapAlgorithm).toBe('RSA-OAEP-SHA1');
  });

  test('legacy CBC with kms wrapping parses when allowed', () => {
    const parsed = parseContentMetadata({
      'x-amz-key-v2': 'AQIDBA==',
      'x-amz-iv': 'AAECAwQFBgcICQoLDA0ODw==',
      'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
      'x-amz-wrap-alg': 'kms',
      'x-amz-matdesc': '{"kms_cmk_id":"alias/legacy"}',
      'x-amz-unencrypted-content-length': '51',
    }, legacy);
    expect(parsed).toMatchObject({ contentAlgorithm: 'AES/CBC/PKCS5Padding', wrapAlgorithm: 'kms', unencryptedContentLength: 51 });
  });
});

describe('caller encryption context', () => {
  test('reserved keys are refused', () => {
    expect(() => validateUserEncryptionContext({ 'aws:x-amz-cek-alg': 'x' }, 'putObject')).toThrow(/reserved/);
    expect(() => validateUserEncryptionContext({ kms_cmk_id: 'x' }, 'putObject')).toThrow(/reserved/);
    expect(() => validateUserEncryptionContext({ n: 1 as unknown as string }, 'putObject')).toThrow(/must be a string/);
    expect(validateUserEncryptionContext(undefined, 'putObject')).toStrictEqual({});
  });
});
