// Finding and reading CloudFormation templates: files (JSON, or YAML with every short-form intrinsic) and cloud
// assemblies (cdk.out), nested stacks included. Every file that cannot be read is reported, never thrown; what is
// read is bounded; positions come from one index per file. Pure but for reading files; no CDK here (see ./input).

export { readInputs, DEFAULT_MAX_TEMPLATE_BYTES } from './input/read';
export type { InputProblem, ReadOptions, ReadTemplate } from './input/read';
export type { SourcePosition } from './input/positions';
