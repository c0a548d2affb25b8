import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BucketflowFunction } from '../../lib/bucketflow-function.js';
import { handlerEntry } from '../../lib/bundling.js';
import { testApp } from './support.js';

describe('BucketflowFunction bundling', () => {
  let outdir: string;
  let bundle: string;
  let files: string[];

  beforeAll(() => {
    // Prepare: one function, bundled for real by the local esbuild (no Docker).
    outdir = mkdtempSync(join(tmpdir(), 'bucketflow-bundle-'));
    const app = testApp({ bundle: true, outdir });
    const stack = new Stack(app, 'Bundled');
    new BucketflowFunction(stack, 'Ingest', {
      source: { entry: handlerEntry('s3-ingest') },
      description: 'bundling test',
      timeout: Duration.seconds(10),
      memorySize: 128,
      environment: {},
      logRetention: logs.RetentionDays.ONE_DAY,
    });

    // Act
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    // The staged asset directory is named after the hash that also names the S3 key.
    const code = functions[0]?.Properties?.Code as { S3Key: string };
    const assetDir = join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    files = readdirSync(assetDir).sort();
    bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
  });

  afterAll(() => {
    if (outdir && existsSync(outdir)) rmSync(outdir, { recursive: true, force: true });
  });

  it('produces one minified ESM file with its source map', () => {
    expect(files).toEqual(['index.mjs', 'index.mjs.map']);
    // Minified code sits on few, very long lines; newlines remain only inside template
    // literals of dependencies. Unminified code averages well under 100 characters a line.
    const lines = bundle.split('\n');
    expect(bundle.length / lines.length).toBeGreaterThan(1000);
  });

  it('exports the handler from an ES module that can require Node built-ins', () => {
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    expect(bundle).toContain('createRequire');
  });
});
