import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputProblem, readInputs } from '../../src/cli/templates';

// Requirement: a cloud assembly is read whole (stacks, nested assemblies, nested stacks found by metadata or by the
// asset hash in the TemplateURL), as one group; and a hostile or broken manifest is a problem that names what is
// wrong, never a read outside the assembly, a loop, or an empty success.

const FIXTURE = path.join(__dirname, 'fixtures', 'input', 'assembly');
let dir: string;
let count = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'templates-assembly-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of the fixture assembly, changed by `change` (given its folder). */
function assembly(change: (root: string) => void = () => undefined): string {
  const root = path.join(dir, `cdk-${count++}.out`);
  fs.cpSync(FIXTURE, root, { recursive: true });
  change(root);
  return root;
}

function editJson(file: string, edit: (json: any) => unknown): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify(edit(json) ?? json, null, 2));
}

const manifestOf = (root: string) => path.join(root, 'manifest.json');
const stacksOf = (root: string, groups: ReturnType<typeof readInputs>['groups']) =>
  groups.map((group) => group.map((t) => [t.stackName, path.relative(root, t.file)]));

test('every stack, nested stack and nested assembly, in one group', () => {
  const root = assembly();
  const { groups, problems } = readInputs([root]);
  expect(problems).toEqual([]);
  expect(stacksOf(root, groups)).toEqual([[
    ['Stack', 'Stack.template.json'],
    ['Stack/Child', 'StackChild.nested.template.json'], // by its aws:asset:path metadata
    ['Stack/Other', 'StackOther.nested.template.json'], // by the asset hash in its TemplateURL
    ['StageStack', path.join('assembly-Stage', 'StageStack.template.json')],
  ]]);
  expect(groups[0][1].template.Resources).toEqual({ ChildBucket: { Type: 'AWS::S3::Bucket' } });
  expect(groups[0][3].locate(['Resources', 'StageBucket'])).toEqual({ line: 3, column: 5 });
});

test('two assemblies and a template are three groups', () => {
  const [a, b] = [assembly(), assembly()];
  const template = path.join(a, 'Stack.template.json');
  const { groups, problems } = readInputs([a, template, b]);
  expect(problems).toEqual([]);
  expect(groups.map((group) => group.length)).toEqual([4, 1, 4]);
});

type Case = [string, (root: string) => void, (root: string) => InputProblem[], string[]];

const stack = (root: string) => path.join(root, 'Stack.template.json');
const at = expect.objectContaining({ line: expect.any(Number), column: expect.any(Number) });

test.each<Case>([
  ['a manifest that is null',
    (root) => fs.writeFileSync(manifestOf(root), 'null'),
    (root) => [{ file: manifestOf(root), message: 'not a cloud assembly manifest: the document is not a JSON object' }],
    []],
  ['a malformed manifest',
    (root) => fs.writeFileSync(manifestOf(root), '{\n  "artifacts": {,\n}'),
    (root) => [{ file: manifestOf(root), message: 'malformed JSON: expected a key in double quotes', position: { line: 2, column: 17 } }],
    []],
  ['artifacts that are not an object',
    (root) => editJson(manifestOf(root), (m) => ({ ...m, artifacts: ['Stack'] })),
    (root) => [{ file: manifestOf(root), message: 'not a cloud assembly manifest: artifacts is not an object', position: { line: 3, column: 3 } }],
    []],
  ['an artifact that is not an object',
    (root) => editJson(manifestOf(root), (m) => { m.artifacts.Stack = 'Stack.template.json'; }),
    (root) => [{ file: manifestOf(root), message: 'artifact "Stack" is not an object', position: at }],
    ['StageStack']],
  ['a templateFile that is a number',
    (root) => editJson(manifestOf(root), (m) => { m.artifacts.Stack.properties.templateFile = 42; }),
    (root) => [{ file: manifestOf(root), message: 'stack "Stack": templateFile is not a string', position: { line: 14, column: 9 } }],
    ['StageStack']],
  ['a stack without templateFile',
    (root) => editJson(manifestOf(root), (m) => { delete m.artifacts.Stack.properties; }),
    (root) => [{ file: manifestOf(root), message: 'stack "Stack": templateFile is missing', position: at }],
    ['StageStack']],
  ['a templateFile outside the assembly, by ..',
    (root) => {
      fs.copyFileSync(stack(root), path.join(root, '..', 'outside.json'));
      editJson(manifestOf(root), (m) => { m.artifacts.Stack.properties.templateFile = '../outside.json'; });
    },
    (root) => [{ file: manifestOf(root), message: 'stack "Stack" names the template "../outside.json", which is outside the cloud assembly', position: at }],
    ['StageStack']],
  ['a templateFile outside the assembly, by an absolute path',
    (root) => editJson(manifestOf(root), (m) => { m.artifacts.Stack.properties.templateFile = '/etc/hostname'; }),
    (root) => [{ file: manifestOf(root), message: 'stack "Stack" names the template "/etc/hostname", which is outside the cloud assembly', position: at }],
    ['StageStack']],
  ['a templateFile outside the assembly, by a symbolic link',
    (root) => {
      fs.copyFileSync(stack(root), path.join(root, '..', 'linked.json'));
      fs.rmSync(stack(root));
      fs.symlinkSync(path.join(root, '..', 'linked.json'), stack(root));
    },
    (root) => [{ file: manifestOf(root), message: 'stack "Stack" names the template "Stack.template.json", which is outside the cloud assembly', position: at }],
    ['StageStack']],
  ['a templateFile outside the assembly that does not exist',
    (root) => editJson(manifestOf(root), (m) => { m.artifacts.Stack.properties.templateFile = '../../../nowhere.json'; }),
    (root) => [{ file: manifestOf(root), message: 'stack "Stack" names the template "../../../nowhere.json", which is outside the cloud assembly', position: at }],
    ['StageStack']],
  ['a missing template',
    (root) => fs.rmSync(stack(root)),
    (root) => [{ file: manifestOf(root), message: 'stack "Stack" names the template "Stack.template.json", which does not exist', position: at }],
    ['StageStack']],
  ['a malformed template',
    (root) => fs.writeFileSync(stack(root), '{"Resources": '),
    (root) => [{ file: stack(root), message: 'malformed JSON: unexpected end of the file', position: { line: 1, column: 15 } }],
    ['StageStack']],
  ['a nested assembly that is the assembly itself',
    (root) => editJson(manifestOf(root), (m) => { m.artifacts['assembly-Stage'].properties.directoryName = '.'; }),
    (root) => [{ file: manifestOf(root), message: `nested assembly loop: ${root} → ${root}`, position: at }],
    ['Stack', 'Stack/Child', 'Stack/Other']],
  ['nested assemblies in a loop',
    (root) => editJson(path.join(root, 'assembly-Stage', 'manifest.json'), (m) => {
      m.artifacts.Back = { type: 'cdk:cloud-assembly', properties: { directoryName: '..' } };
    }),
    (root) => [{
      file: path.join(root, 'assembly-Stage', 'manifest.json'),
      message: `nested assembly loop: ${root} → ${path.join(root, 'assembly-Stage')} → ${root}`,
      position: at,
    }],
    ['Stack', 'Stack/Child', 'Stack/Other', 'StageStack']],
  ['a nested assembly outside the assembly',
    (root) => editJson(manifestOf(root), (m) => { m.artifacts['assembly-Stage'].properties.directoryName = '..'; }),
    (root) => [{ file: manifestOf(root), message: 'nested assembly "assembly-Stage" names the directory "..", which is outside the cloud assembly', position: at }],
    ['Stack', 'Stack/Child', 'Stack/Other']],
  ['a nested assembly without manifest',
    (root) => fs.rmSync(path.join(root, 'assembly-Stage', 'manifest.json')),
    (root) => [{ file: path.join(root, 'assembly-Stage', 'manifest.json'), message: 'the manifest does not exist' }],
    ['Stack', 'Stack/Child', 'Stack/Other']],
  ['a nested stack of itself',
    (root) => editJson(stack(root), (t) => { t.Resources.Child.Metadata['aws:asset:path'] = 'Stack.template.json'; }),
    (root) => [{ file: stack(root), message: `nested stack loop: ${stack(root)} → ${stack(root)}`, position: { line: 6, column: 5 } }],
    ['Stack', 'Stack/Other', 'StageStack']],
  ['nested stacks in a loop',
    (root) => editJson(path.join(root, 'StackChild.nested.template.json'), (t) => {
      t.Resources.Back = { Type: 'AWS::CloudFormation::Stack', Metadata: { 'aws:asset:path': 'Stack.template.json' } };
    }),
    (root) => [{
      file: path.join(root, 'StackChild.nested.template.json'),
      message: `nested stack loop: ${stack(root)} → ${path.join(root, 'StackChild.nested.template.json')} → ${stack(root)}`,
      position: at,
    }],
    ['Stack', 'Stack/Child', 'Stack/Other', 'StageStack']],
  ['a nested stack outside the assembly',
    (root) => editJson(stack(root), (t) => { t.Resources.Child.Metadata['aws:asset:path'] = '../../etc/hostname'; }),
    (root) => [{ file: stack(root), message: 'nested stack "Child" names the template "../../etc/hostname", which is outside the cloud assembly', position: at }],
    ['Stack', 'Stack/Other', 'StageStack']],
  ['a missing nested stack template',
    (root) => fs.rmSync(path.join(root, 'StackChild.nested.template.json')),
    (root) => [{ file: stack(root), message: 'nested stack "Child" names the template "StackChild.nested.template.json", which does not exist', position: at }],
    ['Stack', 'Stack/Other', 'StageStack']],
  ['an asset manifest outside the assembly',
    (root) => {
      fs.copyFileSync(path.join(root, 'Stack.assets.json'), path.join(root, '..', 'assets.json'));
      editJson(manifestOf(root), (m) => { m.artifacts['Stack.assets'].properties.file = '../assets.json'; });
    },
    (root) => [{ file: manifestOf(root), message: 'asset manifest "Stack.assets" names the file "../assets.json", which is outside the cloud assembly', position: at }],
    ['Stack', 'Stack/Child', 'StageStack']],
  ['an asset path outside the assembly',
    (root) => editJson(path.join(root, 'Stack.assets.json'), (a) => {
      for (const asset of Object.values<any>(a.files)) asset.source.path = '../../outside.template.json';
    }),
    (root) => [{ file: stack(root), message: 'nested stack "Other" names the template "../../outside.template.json", which is outside the cloud assembly', position: at }],
    ['Stack', 'Stack/Child', 'StageStack']],
  ['an assembly with no stacks',
    (root) => editJson(manifestOf(root), (m) => ({ version: m.version, artifacts: { Tree: m.artifacts.Tree } })),
    (root) => [{ file: manifestOf(root), message: 'a cloud assembly with no stacks' }],
    []],
  ['an assembly without artifacts',
    (root) => editJson(manifestOf(root), (m) => ({ version: m.version })),
    (root) => [{ file: manifestOf(root), message: 'a cloud assembly with no stacks' }],
    []],
])('%s', (_case, change, expected, stacks) => {
  const root = assembly(change);
  const { groups, problems } = readInputs([root]);
  expect(problems).toEqual(expected(root));
  expect(groups.map((group) => group.map((t) => t.stackName))).toEqual([stacks]);
});
