import { describe, expect, it } from 'vitest';
import { validateAutomation } from '../../../lambdas/core/automations/automation-spec.js';
import { clusterSlug, isClusterSlug } from '../../../lambdas/core/automations/cluster-slug.js';
import { InvalidAutomationError } from '../../../lambdas/core/automations/errors.js';
import { validateStorageLocation } from '../../../lambdas/core/automations/storage-location.js';
import { InvalidPolicyGlobError } from '../../../lambdas/core/batching/errors.js';

const task = { identifier: { name: 'Thumbnail' }, input: { size: 256 } };

describe('validateAutomation', () => {
  it('fills in the defaults of a storage automation', () => {
    // Act
    const definition = validateAutomation({
      name: 'thumbs',
      task,
      triggers: { storage: [{ location: 'scenes', glob: '**.tif' }] },
    });

    // Assess
    expect(definition).toEqual({
      name: 'thumbs',
      kind: 'storage',
      cluster: undefined,
      task: {
        identifier: { name: 'Thumbnail', version: 'v0.0' },
        input: { size: 256 },
        maxRetries: 0,
      },
      triggers: { storage: [{ location: 'scenes', glob: '**.tif' }], cron: [] },
      enabled: true,
    });
  });

  it('requires a task unless a batch automation only emits events', () => {
    // Act
    const emitOnly = validateAutomation({
      name: 'edp',
      triggers: { batch: { location: 'scenes', submitJob: false } },
    });

    // Assess
    expect(emitOnly.task).toBeUndefined();
    expect(() =>
      validateAutomation({ name: 'jobs', triggers: { batch: { location: 'scenes' } } }),
    ).toThrow(/^task: is required: a batch automation submits jobs/);
    expect(() => validateAutomation({ name: 'cron', triggers: { cron: ['@daily'] } })).toThrow(
      InvalidAutomationError,
    );
  });

  it('rejects a batch trigger that neither emits an event nor submits a job', () => {
    // Act
    const act = () =>
      validateAutomation({
        name: 'idle',
        task,
        triggers: { batch: { location: 'scenes', emitEvent: false, submitJob: false } },
      });

    // Assess
    expect(act).toThrow(/^triggers\.batch\.emitEvent: and submitJob are both false/);
  });

  it('names the ignore pattern at fault', () => {
    // Act
    const act = () =>
      validateAutomation({
        name: 'b',
        task,
        triggers: { batch: { location: 'scenes', ignore: ['ok', 'raw/[a'] } },
      });

    // Assess
    expect(act).toThrow(InvalidPolicyGlobError);
    expect(act).toThrow(/^triggers\.batch\.ignore\[1\]/);
  });

  it('rejects no trigger, an unknown catch-up policy, a bad cluster slug and a bad task', () => {
    // Assess
    expect(() => validateAutomation({ name: 'n', task, triggers: {} })).toThrow(
      /^triggers: names no trigger/,
    );
    expect(() =>
      validateAutomation({
        name: 'n',
        task,
        triggers: { cron: [{ expression: '@daily', catchUp: 'some' as 'all' }] },
      }),
    ).toThrow(/^triggers\.cron\[0\]\.catchUp/);
    expect(() =>
      validateAutomation({ name: 'n', task, cluster: 'no spaces', triggers: { cron: ['@daily'] } }),
    ).toThrow(/^cluster: "no spaces" is not a cluster slug/);
    expect(() =>
      validateAutomation({
        name: 'n',
        task: { identifier: { name: 'T', version: '1.0' } },
        triggers: { cron: ['@daily'] },
      }),
    ).toThrow(/^task\.identifier\.version/);
    expect(() => validateAutomation({ name: '', task, triggers: { cron: ['@daily'] } })).toThrow(
      /^name: must not be empty/,
    );
  });
});

describe('clusterSlug', () => {
  it('lower-cases the name, joins other characters with dashes and appends the suffix', () => {
    // Act
    const slug = clusterSlug('  GPU Runners (eu)! ', new Uint8Array([0, 1, 2, 25, 26, 51, 52, 61]));

    // Assess
    expect(slug).toBe('gpu-runners-eu-ABCZaz09');
    expect(isClusterSlug(slug)).toBe(true);
  });

  it('falls back to cluster when the name has no slug characters', () => {
    // Assess
    expect(clusterSlug('***', new Uint8Array(8))).toBe('cluster-AAAAAAAA');
    expect(() => clusterSlug('', new Uint8Array(8))).toThrow(/^name: must not be empty/);
  });
});

describe('validateStorageLocation', () => {
  it('accepts an S3 bucket and an absolute folder and drops unknown fields', () => {
    // Act
    const s3 = validateStorageLocation({
      name: 'a',
      kind: 's3',
      bucket: 'my.bucket-1',
      extra: 1,
    } as never);
    const folder = validateStorageLocation({ name: 'b', kind: 'local-folder', path: 'C:\\data' });

    // Assess
    expect(s3).toEqual({ name: 'a', kind: 's3', bucket: 'my.bucket-1' });
    expect(folder).toEqual({ name: 'b', kind: 'local-folder', path: 'C:\\data' });
  });

  it('rejects bad names, buckets and kinds', () => {
    // Assess
    expect(() => validateStorageLocation({ name: '-x', kind: 's3', bucket: 'abc' })).toThrow(
      /^name:/,
    );
    expect(() => validateStorageLocation({ name: 'x', kind: 's3', bucket: 'a..b' })).toThrow(
      /^bucket:/,
    );
    expect(() => validateStorageLocation({ name: 'x', kind: 'gcs' } as never)).toThrow(/^kind:/);
  });
});
