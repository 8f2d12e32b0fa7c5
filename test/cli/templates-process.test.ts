import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { buildCli, removeCli } from './build-cli';

// The reader run as a process, for what could hang, exhaust memory or needs another user: a FIFO must not block,
// /dev/zero must not be read, a socket is not a file, an unreadable file is "permission denied". And loading the
// reader loads nothing heavy.

let main: string;
let reader: string;
let dir: string;

beforeAll(() => {
  main = buildCli();
  reader = path.join(path.dirname(main), 'templates.js');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-process-'));
  // Readable by another user, for the permission test when the tests run as root.
  for (const folder of [dir, path.resolve(main, '..', '..', '..')]) fs.chmodSync(folder, 0o755);
});
afterAll(() => {
  removeCli(main);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** readInputs(paths) in a new process that has 20 seconds and 512 MB. */
function readInProcess(paths: string[], options: SpawnSyncOptions = {}, readerModule = reader) {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(readerModule)}).readInputs(JSON.parse(process.argv[1]))))`;
  const result = spawnSync(process.execPath, ['--max-old-space-size=512', '-e', script, JSON.stringify(paths)], {
    encoding: 'utf8', timeout: 20_000, ...options,
  });
  const output = result.status === 0 ? JSON.parse(String(result.stdout)) : undefined;
  return { status: result.status, signal: result.signal, stderr: String(result.stderr), output };
}

test('a FIFO, /dev/zero and a socket are problems, read in seconds', async () => {
  const fifo = path.join(dir, 'template.json');
  const made = spawnSync('mkfifo', [fifo]);
  expect(made.status).toBe(0);
  const socket = path.join(dir, 'template.sock');
  const server = net.createServer();
  await new Promise<void>((listening) => server.listen(socket, listening));
  try {
    const { status, signal, output } = readInProcess([fifo, '/dev/zero', socket]);
    expect({ status, signal }).toEqual({ status: 0, signal: null });
    expect(output).toEqual({
      groups: [[], [], []],
      problems: [
        { file: fifo, message: 'not a regular file: a FIFO (named pipe)' },
        { file: '/dev/zero', message: 'not a regular file: a character device' },
        { file: socket, message: 'not a regular file: a socket' },
      ],
    });
  } finally {
    server.close();
  }
});

test('a file the user cannot read is "permission denied"', () => {
  const template = path.join(dir, 'secret.yaml');
  fs.writeFileSync(template, 'Resources: {}\n');
  fs.chmodSync(template, 0o000);
  // root reads every file: run as nobody then, with a copy of the reader (and yaml) that nobody can reach, since the
  // checkout may sit in a folder only root can enter (CI clones into `mktemp -d`).
  const asRoot = process.getuid?.() === 0;
  let readerModule = reader;
  if (asRoot) {
    const runtime = path.join(dir, 'runtime');
    fs.cpSync(path.resolve(main, '..', '..', '..'), path.join(runtime, 'package'), { recursive: true });
    fs.cpSync(path.dirname(require.resolve('yaml/package.json')), path.join(runtime, 'node_modules', 'yaml'), { recursive: true });
    spawnSync('chmod', ['-R', 'a+rX', runtime]);
    readerModule = path.join(runtime, 'package', path.relative(path.resolve(main, '..', '..', '..'), reader));
  }
  const { status, output, stderr } = readInProcess([template], asRoot ? { uid: 65534, gid: 65534 } : {}, readerModule);
  expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  expect(output.problems).toEqual([{ file: template, message: 'permission denied' }]);
});

test('loading the reader loads nothing but its own modules and yaml', () => {
  const script = `require(${JSON.stringify(reader)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  const loaded: string[] = JSON.parse(result.stdout);
  const own = path.dirname(reader) + path.sep;
  const yaml = `${path.sep}node_modules${path.sep}yaml${path.sep}`;
  expect(loaded.filter((file) => !file.startsWith(own) && !file.includes(yaml))).toEqual([]);
  expect(loaded.filter((file) => file.startsWith(own)).map((file) => path.relative(own, file)).sort())
    .toEqual(['input/data.js', 'input/file.js', 'input/for-each.js', 'input/json.js', 'input/positions.js', 'input/read.js', 'input/template.js', 'input/yaml.js', 'templates.js']);
});
