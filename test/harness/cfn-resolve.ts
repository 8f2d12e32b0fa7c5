/**
 * Resolves the CloudFormation intrinsics that policies use (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * pseudo parameters) to concrete values, so that a synthesized policy can be handed to an evaluator.
 *
 * Physical names: a bucket's name is its `BucketName` property if set, else its logical ID in lower case;
 * a KMS key's ID is its logical ID. Every other resource's `Ref` is its logical ID.
 */
export interface CfnEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

export const TEST_ENV: CfnEnvironment = { account: '111111111111', region: 'eu-west-1', partition: 'aws' };

export type Template = { Resources: Record<string, { Type: string; Properties?: any }> };

export class CfnResolver {
  constructor(private readonly template: Template, private readonly env: CfnEnvironment = TEST_ENV) {}

  private get partition() {
    return this.env.partition ?? 'aws';
  }

  public resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      switch (fn) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(...(Array.isArray(arg) ? arg : arg.split('.')) as [string, string]);
        case 'Fn::Join': return (this.resolve(arg[1]) as any[]).join(arg[0]);
        case 'Fn::Sub': return this.sub(arg);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        default: if (fn.startsWith('Fn::')) throw new Error(`Cannot resolve ${fn}`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  public ref(name: string): string {
    switch (name) {
      case 'AWS::AccountId': return this.env.account;
      case 'AWS::Region': return this.env.region;
      case 'AWS::Partition': return this.partition;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return 'TestStack';
    }
    const resource = this.resourceOf(name);
    if (resource.Type === 'AWS::S3::Bucket') return this.bucketName(name);
    return name;
  }

  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.resourceOf(logicalId);
    const { account, region } = this.env;
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::S3::Bucket.Arn': return `arn:${this.partition}:s3:::${this.bucketName(logicalId)}`;
      case 'AWS::KMS::Key.Arn': return `arn:${this.partition}:kms:${region}:${account}:key/${logicalId}`;
      case 'AWS::KMS::Key.KeyId': return logicalId;
      case 'AWS::CloudTrail::Trail.Arn': return `arn:${this.partition}:cloudtrail:${region}:${account}:trail/${this.ref(logicalId)}`;
      case 'AWS::IAM::Role.Arn': return `arn:${this.partition}:iam::${account}:role/${logicalId}`;
      case 'AWS::SNS::Topic.TopicArn': return `arn:${this.partition}:sns:${region}:${account}:${logicalId}`;
      case 'AWS::Logs::LogGroup.Arn': return `arn:${this.partition}:logs:${region}:${account}:log-group:${logicalId}:*`;
      default: throw new Error(`Cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${resource.Type})`);
    }
  }

  private sub(arg: string | [string, Record<string, any>]): string {
    const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in vars) return this.resolve(vars[name]);
      const [logicalId, attribute] = name.split('.');
      return attribute ? this.getAtt(logicalId, attribute) : this.ref(logicalId);
    });
  }

  public bucketName(logicalId: string): string {
    const name = this.resourceOf(logicalId).Properties?.BucketName;
    return name !== undefined ? this.resolve(name) : logicalId.toLowerCase();
  }

  private resourceOf(logicalId: string) {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) throw new Error(`No resource ${logicalId} in template`);
    return resource;
  }
}
