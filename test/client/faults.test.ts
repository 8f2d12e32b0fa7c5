/**
 * Faults end in a rejected promise with a documented code, never a crash or a hang. Each scenario runs in its own
 * Node.js process (fault-child.ts) with the real SDK over HTTP to a loopback S3 stand-in and no error handlers
 * installed: an unhandled 'error' event would kill that process, and a hang would hit the time limit here.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

interface Outcome { code: string; cause?: string | number; elapsedMs: number; stored?: boolean; alive: boolean }

/** Generous: the scenarios settle in well under a second; this only turns a hang into a failure. */
const PROCESS_LIMIT_MS = 60_000;

function runScenario(scenario: string): Promise<{ outcome?: Outcome; exitCode: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fault-child.ts'), scenario], {
      cwd: path.join(__dirname, '..', '..'),
      timeout: PROCESS_LIMIT_MS,
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json'), AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1' },
    }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      resolve({ outcome: line ? JSON.parse(line) as Outcome : undefined, exitCode: error ? (error.code as number | null ?? null) : 0, stderr });
    });
  });
}

test.each([
  // scenario                    expected code               cause
  ['missing-file', 'BODY_STREAM_FAILED', 'ENOENT'], // fs.createReadStream of a missing file, failing while KMS is asked
  ['midway-error', 'BODY_STREAM_FAILED', 'disk went away'], // the body stream errors after 192 KiB were sent
  ['short-body', 'CONTENT_LENGTH_MISMATCH', undefined], // 500 bytes where ContentLength says 1000
  ['long-body', 'CONTENT_LENGTH_MISMATCH', undefined], // 1400 bytes where ContentLength says 1000
  ['abort-put', 'ABORTED', 'user cancelled'], // the caller's abortSignal fires during the call
])('putObject fault %s rejects with %s, stores nothing, and the process lives on', async (scenario, code, cause) => {
  const { outcome, exitCode, stderr } = await runScenario(scenario);
  expect({ exitCode, stderr: exitCode === 0 ? '' : stderr }).toStrictEqual({ exitCode: 0, stderr: '' });
  expect(outcome).toMatchObject({ code, stored: false, alive: true });
  if (cause) expect(outcome!.cause).toBe(cause);
});

test.each(['stalled-download', 'stalled-download-to-file'])('%s: a server that stalls mid-body ends with ABORTED at the caller\'s deadline', async (scenario) => {
  const { outcome, exitCode, stderr } = await runScenario(scenario);
  expect({ exitCode, stderr: exitCode === 0 ? '' : stderr }).toStrictEqual({ exitCode: 0, stderr: '' });
  expect(outcome).toMatchObject({ code: 'ABORTED', alive: true });
  // AbortSignal.timeout(500): settles at the deadline, not when the server gives up.
  expect(outcome!.elapsedMs).toBeGreaterThanOrEqual(450);
  expect(outcome!.elapsedMs).toBeLessThan(PROCESS_LIMIT_MS / 2);
});
