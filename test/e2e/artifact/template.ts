import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One resource of a synthesized CloudFormation template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/** A stack of a cloud assembly: its template and the directory its assets sit in. */
export interface SynthesizedStack {
  readonly name: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  readonly outputs: Readonly<Record<string, { Value: unknown; Description?: string }>>;
  /** The cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
}

/**
 * Reads a stack of a cloud assembly as `cdk deploy` would take it: the
 * template named by the assembly manifest.
 *
 * @example
 * ```ts
 * const stack = readSynthesizedStack('/tmp/cdk.out', 'Artifact');
 * ```
 */
export function readSynthesizedStack(assemblyDir: string, name: string): SynthesizedStack {
  const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const artifact = manifest.artifacts[name];
  if (artifact?.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
    throw new Error(`${assemblyDir} has no stack ${name}`);
  }
  const template = JSON.parse(
    readFileSync(join(assemblyDir, artifact.properties.templateFile), 'utf8'),
  ) as {
    Resources: Record<string, TemplateResource>;
    Outputs?: Record<string, { Value: unknown; Description?: string }>;
  };
  return { name, resources: template.Resources, outputs: template.Outputs ?? {}, assemblyDir };
}

/** The resources of one type, by logical id. */
export function resourcesOfType(
  stack: SynthesizedStack,
  type: string,
): Array<[logicalId: string, resource: TemplateResource]> {
  return Object.entries(stack.resources).filter(([, resource]) => resource.Type === type);
}

/** What a `Ref` or `Fn::GetAtt` of a resource stands for once it exists. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * Resolves CloudFormation intrinsics against the physical resources of a
 * local deployment: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`,
 * `Fn::Split`, `Fn::Sub` and the pseudo parameters. A reference to a
 * resource that was not created locally (roles, alarms) resolves to a
 * placeholder; an unknown intrinsic is an error, so a template feature the
 * local deployment does not understand fails the test instead of passing a
 * wrong value.
 */
export class IntrinsicResolver {
  readonly #physical = new Map<string, PhysicalResource>();
  readonly #pseudo: Readonly<Record<string, string>>;

  constructor(stackName: string, region: string, account: string) {
    this.#pseudo = {
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/local`,
      'AWS::NoValue': '',
    };
  }

  /** Records what a logical id stands for. */
  define(logicalId: string, resource: PhysicalResource): void {
    this.#physical.set(logicalId, resource);
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length !== 1 || key === undefined || !(key === 'Ref' || key.startsWith('Fn::'))) {
      return Object.fromEntries(entries.map(([name, item]) => [name, this.resolve(item)]));
    }
    switch (key) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(argument)
          ? (argument as string[])
          : String(argument).split('.');
        return this.attribute(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [delimiter, items] = argument as [string, unknown[]];
        return (this.resolve(items) as unknown[]).map(String).join(delimiter);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [delimiter, text] = argument as [string, unknown];
        return String(this.resolve(text)).split(delimiter);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument)
          ? (argument as [string, Record<string, unknown>])
          : [String(argument), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in variables) return String(this.resolve(variables[name]));
          const [id, attribute] = name.split('.');
          return attribute ? this.attribute(String(id), attribute) : this.ref(name);
        });
      }
      default:
        throw new Error(`the local deployment does not resolve ${key}`);
    }
  }

  ref(id: string): string {
    return this.#pseudo[id] ?? this.#physical.get(id)?.ref ?? `local-${id}`;
  }

  attribute(id: string, attribute: string): string {
    const physical = this.#physical.get(id);
    if (!physical) return `local-${id}.${attribute}`;
    const resolved = physical.attributes?.[attribute];
    if (resolved === undefined) throw new Error(`${id} has no attribute ${attribute} locally`);
    return resolved;
  }
}
