/**
 * The AWS SDK for JavaScript v3 is resolved from the user's installation at run time.
 *
 * jsii refuses a non-jsii peer dependency, so this package cannot declare `@aws-sdk/client-s3` and
 * `@aws-sdk/client-kms`. The client is typed against them with `import type` (erased at compile time), takes
 * the user's own `S3Client` and `KMSClient`, and loads the command classes lazily, on the first call that
 * needs them, from the same installation. Loading `cdk-s3-encryption/client` never requires the SDK.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as KmsModule from '@aws-sdk/client-kms';
import type * as S3Module from '@aws-sdk/client-s3';
import { S3EncryptionClientError } from './errors';

export type S3Commands = Pick<typeof S3Module, 'GetObjectCommand' | 'PutObjectCommand'>;
export type KmsCommands = Pick<typeof KmsModule, 'GenerateDataKeyCommand' | 'DecryptCommand'>;

/** Loads a module by name; `require` in production. */
export type ModuleLoader = (id: string) => unknown;

export const SDK_INSTALL_HINT = 'install the AWS SDK for JavaScript v3 next to cdk-s3-encryption: npm install @aws-sdk/client-s3 @aws-sdk/client-kms';

let loaderOverride: ModuleLoader | undefined;
let s3Cache: S3Commands | undefined;
let kmsCache: KmsCommands | undefined;

/** @internal Replace the module loader (tests only); `undefined` restores the default. Clears the cache. */
export function setSdkModuleLoaderForTesting(loader: ModuleLoader | undefined): void {
  loaderOverride = loader;
  s3Cache = undefined;
  kmsCache = undefined;
}

function defaultLoaders(): ModuleLoader[] {
  return [
    // From this package's location: the normal, hoisted installation. A plain `require` so that bundlers and
    // test runners that manage modules see the same SDK copy as the caller.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (id) => require(id),
    // From the application's working directory: strict layouts (pnpm) where this package cannot see the
    // application's dependencies.
    (id) => createRequire(path.join(process.cwd(), 'package.json'))(id),
  ];
}

function loadModule<T>(id: string): T {
  const loaders = loaderOverride ? [loaderOverride] : defaultLoaders();
  let lastError: unknown;
  for (const load of loaders) {
    try {
      return load(id) as T;
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
      lastError = e;
    }
  }
  throw new S3EncryptionClientError('SDK_MISSING', `cannot load ${id}: ${SDK_INSTALL_HINT}`, { cause: lastError });
}

/** `GetObjectCommand` and `PutObjectCommand` from the installed `@aws-sdk/client-s3`. */
export function s3Commands(): S3Commands {
  if (!s3Cache) {
    const mod = loadModule<S3Commands>('@aws-sdk/client-s3');
    s3Cache = { GetObjectCommand: mod.GetObjectCommand, PutObjectCommand: mod.PutObjectCommand };
  }
  return s3Cache;
}

/** `GenerateDataKeyCommand` and `DecryptCommand` from the installed `@aws-sdk/client-kms`. */
export function kmsCommands(): KmsCommands {
  if (!kmsCache) {
    const mod = loadModule<KmsCommands>('@aws-sdk/client-kms');
    kmsCache = { GenerateDataKeyCommand: mod.GenerateDataKeyCommand, DecryptCommand: mod.DecryptCommand };
  }
  return kmsCache;
}
