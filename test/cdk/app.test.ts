import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT as PROJECT_ROOT } from '../../lib/bundling.js';

const outdir = mkdtempSync(join(tmpdir(), 'bucketflow-app-'));

/** Runs bin/app.ts as the CDK CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(context: Record<string, unknown>) {
  return spawnSync('npx', ['tsx', 'bin/app.ts'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
  });
}

describe('bin/app.ts', () => {
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('stops before synth with a one-line message naming the context key and the fix', () => {
    // Act
    const result = runApp({ 'bucketflow:ingestBatchSize': 0 });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'bucketflow: bucketflow:ingestBatchSize: must be an integer 1-10000 (SQS batch size limit), got 0 (set "bucketflow:ingestBatchSize": 1000 in cdk.json, or pass -c bucketflow:ingestBatchSize=...)',
    );
    expect(result.stderr).not.toContain('    at ');
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const result = runApp({ 'bucketflow:sourceBucket': ['raw-data'] });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('did you mean bucketflow:sourceBuckets?');
  });
});
