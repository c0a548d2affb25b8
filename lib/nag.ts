import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// cdk-nag 3 reads acknowledgements from CDK's `Validations` metadata and
// matches a finding only by its exact id, e.g.
// `AwsSolutions-IAM5[Resource::<CacheBucket1234.Arn>/*]`. The resource part is
// the policy's resource as the template will hold it, which for a
// cross-stack reference only exists after CDK has prepared the app. So the id
// is computed in a construct validation, which runs after that preparation
// and before cdk-nag.

/**
 * Acknowledges one cdk-nag rule on `scope` (and everything below it) with a
 * written reason.
 *
 * @example
 * ```ts
 * acknowledge(fn, 'AwsSolutions-L1', 'Node.js 22 is the runtime the bundle targets');
 * ```
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding that `resource` (an ARN with a
 * deliberate wildcard, such as a bucket's objects) raises in the policies of
 * `holder` (a role). Only that resource is acknowledged: any other wildcard in
 * the same policy still fails the check.
 *
 * @example
 * ```ts
 * acknowledgeWildcardResource(role, bucket.arnForObjects('*'), 'reads any object of the source bucket');
 * ```
 */
export function acknowledgeWildcardResource(
  holder: IConstruct,
  resource: string,
  reason: string,
): void {
  holder.node.addValidation({
    validate: () => {
      const flat = flattenCfnReference(Stack.of(holder).resolve(resource));
      acknowledge(holder, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
      return [];
    },
  });
}

/**
 * Turns a resolved CloudFormation value into the flat string cdk-nag uses in
 * finding ids (the same rules as cdk-nag's own `flattenCfnReference`; a test
 * keeps the two in step).
 */
export function flattenCfnReference(reference: unknown): string {
  if (reference === undefined) return '';
  if (typeof reference === 'string') return reference.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof reference === 'object' && reference !== null) {
    const node = reference as Record<string, unknown>;
    if (node['Fn::Join']) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flattenCfnReference).join(delimiter);
    }
    if (node['Fn::Sub']) return flattenCfnReference(node['Fn::Sub']);
    if (node['Fn::GetAtt']) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
    }
    if (node['Fn::ImportValue']) return flattenCfnReference(node['Fn::ImportValue']);
    if (node.Ref) return `<${flattenCfnReference(node.Ref)}>`;
  }
  return JSON.stringify(reference);
}
