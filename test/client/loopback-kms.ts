/**
 * An AWS KMS stand-in on localhost speaking the KMS JSON protocol (GenerateDataKey, Decrypt) for clients in other
 * processes; the keys are FakeKms's (helpers.ts): real AES data keys, blobs bound to key ARN and encryption context.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKms } from './helpers';

export interface LoopbackKms {
  readonly endpoint: string;
  readonly kms: FakeKms;
  close(): Promise<void>;
}

const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

export async function startLoopbackKms(kms: FakeKms = new FakeKms()): Promise<LoopbackKms> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      };
      try {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (target === 'TrentService.GenerateDataKey') {
          const out = kms.generateDataKey({ ...input, KeySpec: input.KeySpec ?? (input.NumberOfBytes === 32 ? 'AES_256' : input.KeySpec) });
          send(200, { KeyId: out.KeyId, Plaintext: b64(out.Plaintext), CiphertextBlob: b64(out.CiphertextBlob) });
        } else if (target === 'TrentService.Decrypt') {
          const out = kms.decrypt({ ...input, CiphertextBlob: Buffer.from(input.CiphertextBlob, 'base64') });
          send(200, { KeyId: out.KeyId, Plaintext: b64(out.Plaintext) });
        } else {
          send(400, { __type: 'UnsupportedOperationException', message: target });
        }
      } catch (e) {
        const err = e as { name?: string; message?: string };
        send(400, { __type: err.name ?? 'InternalFailure', message: err.message ?? String(e) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    kms,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
