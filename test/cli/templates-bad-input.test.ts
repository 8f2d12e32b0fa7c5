import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { readInputs, SourcePosition } from '../../src/cli/templates';

// Requirement: one bad input is one problem, in plain words on one line, with its position where it has one; the
// reader never throws and never prints. (FIFOs, devices, sockets and permissions: templates-process.test.ts.)

const FIXTURES = path.join(__dirname, 'fixtures', 'input');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-bad-input-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file in the test's folder. */
function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  return target;
}

const deepJson = () => file('deep.json', `{"Resources": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
const deepYaml = () => file('deep.yaml', `Resources: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
const deepBlockYaml = () => file('deep-block.yaml', Array.from({ length: 150 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n');
// Nine aliases of nine aliases ... of a two-item list: 2 × 9^7 ≈ 9.5 million strings once expanded.
const aliasBomb = () => file('bomb.yaml', [
  'a: &a [lol, lol]',
  ...'bcdefg'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
  `Resources: [${Array(9).fill('*g').join(', ')}]`,
].join('\n') + '\n');
const symlinkLoop = () => {
  fs.symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
  fs.symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
  return path.join(dir, 'loop-a');
};

test.each<[string, () => string, RegExp, SourcePosition | undefined]>([
  // input                                  file                                                              message                                                     position
  ['a missing file', () => path.join(dir, 'missing.json'), /^no such file or directory$/, undefined],
  ['a directory without manifest.json', () => fs.mkdtempSync(path.join(dir, 'folder-')), /^a directory without manifest\.json: pass a cloud assembly \(cdk\.out\) or template files$/, undefined],
  ['a file over the size limit', () => file('large.json', `{"Resources": {}, "Padding": "${'x'.repeat(200_000)}"}`), /^too large: 2000\d{2} bytes, the limit is 100000 bytes \(set it with --max-template-bytes\)$/, undefined],
  ['malformed JSON', () => file('malformed.json', '{\n  "Resources": {\n    "A": { "Type": "X", }\n  }\n}\n'), /^malformed JSON: expected a key in double quotes$/, { line: 3, column: 25 }],
  ['JSON cut short', () => file('short.json', '{\n  "Resources": {'), /^malformed JSON: unexpected end of the file$/, { line: 2, column: 17 }],
  ['JSON with a line break in a string', () => file('string.json', '{"Resources": {"A\nB": {}}}'), /^malformed JSON: line break inside a string$/, { line: 1, column: 18 }],
  ['JSON followed by more text', () => file('more.json', '{"Resources": {}}\n{}'), /^malformed JSON: text after the end of the document$/, { line: 2, column: 1 }],
  ['malformed YAML', () => file('malformed.yaml', 'Resources:\n  A:\n    Type: X\n     Properties: {}\n'), /^malformed YAML: Nested mappings are not allowed in compact mappings$/, { line: 3, column: 11 }],
  ['a duplicate YAML key', () => file('duplicate.yaml', 'Resources:\n  A:\n    Type: X\n  A:\n    Type: X\n'), /^malformed YAML: Map keys must be unique$/, { line: 4, column: 3 }],
  ['an unknown YAML tag', () => file('tag.yaml', 'Resources:\n  A:\n    Type: X\n    Properties:\n      Name: !Nope x\n'), /^malformed YAML: unknown tag !Nope$/, { line: 5, column: 13 }],
  ['two YAML documents', () => file('two.yaml', 'Resources: {}\n---\nResources: {}\n'), /^more than one YAML document in the file$/, { line: 2, column: 1 }],
  ['a YAML file of comments', () => file('comments.yaml', '# nothing\n'), /^empty file$/, { line: 1, column: 1 }],
  ['no Resources section', () => path.join(FIXTURES, 'not-a-template.yaml'), /^not a CloudFormation template: no Resources section$/, undefined],
  ['Resources not a mapping', () => file('list.yaml', 'Resources:\n  - A\n'), /^not a CloudFormation template: Resources is not a mapping$/, { line: 1, column: 1 }],
  ['a document that is not a mapping', () => file('array.json', '[1, 2]'), /^not a CloudFormation template: the document is not a mapping$/, undefined],
  ['a resource without a Type', () => path.join(FIXTURES, 'no-type.yaml'), /^not a CloudFormation template: resource "Untyped" has no Type$/, { line: 4, column: 3 }],
  ['a resource whose Type is not a string', () => file('type.json', '{"Resources": {"A": {"Type": 1}}}'), /^not a CloudFormation template: resource "A" has a Type that is not a string$/, { line: 1, column: 16 }],
  ['a resource that is not a mapping', () => file('string.yaml', 'Resources:\n  A: text\n'), /^not a CloudFormation template: resource "A" has no Type$/, { line: 2, column: 3 }],
  ['JSON nested 10,000 levels', deepJson, /^nesting deeper than 100 levels$/, { line: 1, column: 114 }],
  ['YAML nested 10,000 levels', deepYaml, /^nesting deeper than 100 levels$/, { line: 1, column: 111 }],
  ['YAML nested 150 levels by indentation', deepBlockYaml, /^nesting deeper than 100 levels$/, { line: 101, column: 101 }],
  ['a YAML alias bomb', aliasBomb, /^YAML aliases expand to more than 100000 nodes$/, { line: 6, column: 16 }],
  ['a loop of symbolic links', symlinkLoop, /^a loop of symbolic links$/, undefined],
  ['an empty file', () => file('empty.json', ''), /^empty file$/, undefined],
  ['a file of blank lines', () => file('blank.yaml', '\n  \n\t\n'), /^empty file$/, undefined],
  ['a binary file', () => file('binary.json', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x00])), /^a binary file, not a template$/, undefined],
  ['a file that is not UTF-8', () => file('latin1.yaml', Buffer.from('Resources: {caf\xe9: x}\n', 'latin1')), /^not UTF-8 text$/, undefined],
])('%s', (_name, make, message, position) => {
  const input = make();
  const { groups, problems } = readInputs([input], { maxTemplateBytes: 100_000 });
  expect(groups).toEqual([[]]);
  const expected = { file: input, message: expect.stringMatching(message) };
  expect(problems).toEqual([position === undefined ? expected : { ...expected, position }]);
  expect(problems[0].message).not.toMatch(/[\r\n]|\bat .*:\d+|Error\b|\[object /);
});

describe('one bad file never hides the others', () => {
  test('every path is read, in order, with one group each', () => {
    const good = file('good.yaml', 'Resources:\n  A:\n    Type: AWS::S3::Bucket\n');
    const bad = file('bad.json', '{');
    const { groups, problems } = readInputs([bad, good, path.join(dir, 'missing.yaml'), good]);
    expect(groups.map((group) => group.map((t) => t.stackName))).toEqual([[], ['good'], [], ['good']]);
    expect(problems.map((p) => p.file)).toEqual([bad, path.join(dir, 'missing.yaml')]);
  });

  test('the size limit defaults to 256 MiB', () => {
    const template = file('default-limit.json', `{"Resources": {}, "Padding": "${'x'.repeat(2_000_000)}"}`);
    expect(readInputs([template]).problems).toEqual([]);
    expect(readInputs([template], { maxTemplateBytes: 1_000_000 }).problems[0].message).toMatch(/^too large: 1\.9 MiB \(2000\d{3} bytes\), the limit is 1000000 bytes \(set it with --max-template-bytes\)$/);
  });
});

describe('random text is read or refused, never an internal failure', () => {
  test('JSON: refused as malformed exactly when JSON.parse refuses it', () => {
    const target = path.join(dir, 'random.json');
    const token = fc.constantFrom('{', '}', '[', ']', ',', ':', ' ', '\n', '"Resources"', '"Type"', '"a"', '"\\u00', '"\\', '1', '-', '.', 'e5', 'true', 'null');
    fc.assert(fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
      const text = tokens.join('');
      fs.writeFileSync(target, text);
      const { problems } = readInputs([target]);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(problems.some((p) => /^(malformed JSON|empty file)/.test(p.message))).toBe(!valid);
      expect(problems.filter((p) => /could not be read|[\r\n]/.test(p.message))).toEqual([]);
    }), { numRuns: 2_000 });
  });

  test('YAML: every problem is a plain one', () => {
    const target = path.join(dir, 'random.yaml');
    const token = fc.constantFrom('Resources:', '\n', '  ', '- ', '!Ref ', '!If ', '&a ', '*a', '[', ']', '{', '}', ',', ': ', 'x', '"', "'", '#', '---', '? ', '|', '!!', 'Fn::ForEach::L', '<<');
    fc.assert(fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
      fs.writeFileSync(target, tokens.join(''));
      const { problems } = readInputs([target]);
      expect(problems.filter((p) => /could not be read|[\r\n]/.test(p.message))).toEqual([]);
    }), { numRuns: 2_000 });
  });
});

describe('nothing is printed', () => {
  const writes: jest.SpyInstance[] = [];
  beforeEach(() => {
    writes.push(
      jest.spyOn(process.stdout, 'write'),
      jest.spyOn(process.stderr, 'write'),
      jest.spyOn(process, 'emitWarning'),
      ...(['log', 'info', 'warn', 'error', 'debug', 'dir'] as const).map((name) => jest.spyOn(console, name)),
    );
  });
  afterEach(() => writes.splice(0).forEach((spy) => spy.mockRestore()));

  test('reading every bad input above and every fixture', () => {
    const inputs = [
      deepJson(), deepYaml(), aliasBomb(), file('tag2.yaml', 'Resources:\n  A: !Nope\n'), file('warning.yaml', '%FOO bar\n---\nResources: {}\n'),
      ...fs.readdirSync(FIXTURES).map((name) => path.join(FIXTURES, name)),
    ];
    readInputs(inputs);
    for (const spy of writes) expect(spy).not.toHaveBeenCalled();
  });
});
