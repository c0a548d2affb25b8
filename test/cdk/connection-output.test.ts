import { describe, expect, it } from 'vitest';
import { CONNECTION_OUTPUT_DESCRIPTION } from '../../lambdas/sdk/stack-outputs.js';
import { exampleConfig, resourcesOf, synthBucketflowApp } from './support.js';

describe('connectionOutput', () => {
  it("lists the Lambda runners' log groups, where bucketflow jobs logs searches", () => {
    // Prepare and Act
    const { statelessTemplate } = synthBucketflowApp({ config: exampleConfig });

    // Assess
    const outputs = Object.values(statelessTemplate.toJSON().Outputs ?? {}) as {
      Description?: string;
      Value: unknown;
    }[];
    const output = outputs.find((o) => o.Description === CONNECTION_OUTPUT_DESCRIPTION);
    const value = JSON.stringify(output?.Value);
    const runnerGroups = Object.keys(resourcesOf(statelessTemplate, 'AWS::Logs::LogGroup')).filter(
      (id) => id.includes('Runner'),
    );
    expect(runnerGroups).toHaveLength(1);
    expect(value).toContain('taskLogGroups');
    expect(value).toContain(`{"Ref":"${runnerGroups[0]}"}`);
  });
});
