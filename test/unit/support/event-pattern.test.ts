import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../e2e/artifact/event-pattern.js';

const objectCreated = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  resources: ['arn:aws:s3:::raw'],
  detail: { bucket: { name: 'raw' }, object: { key: 'instrument-a/run/1.csv', size: 7 } },
};

describe('matchesPattern (the local default bus of the artifact test)', () => {
  it('matches a source bucket rule of the stack on its bucket and key prefixes only', () => {
    // Prepare: the pattern sourceBucketRule synthesizes.
    const pattern = {
      source: ['aws.s3'],
      'detail-type': ['Object Created', 'Object Deleted'],
      detail: { bucket: { name: ['raw'] }, object: { key: [{ prefix: 'instrument-a/' }] } },
    };
    const other = { ...objectCreated, detail: { ...objectCreated.detail, bucket: { name: 'x' } } };
    const outside = {
      ...objectCreated,
      detail: { ...objectCreated.detail, object: { key: 'instrument-b/1.csv' } },
    };

    // Act, Assess
    expect(matchesPattern(pattern, objectCreated)).toBe(true);
    expect(matchesPattern(pattern, other)).toBe(false);
    expect(matchesPattern(pattern, outside)).toBe(false);
  });

  it('applies exists, anything-but, suffix, numeric and array values as EventBridge does', () => {
    expect(matchesPattern({ detail: { versionId: [{ exists: false }] } }, objectCreated)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { object: { key: [{ exists: true }] } } }, objectCreated)).toBe(
      true,
    );
    expect(
      matchesPattern({ 'detail-type': [{ 'anything-but': 'Object Created' }] }, objectCreated),
    ).toBe(false);
    expect(
      matchesPattern({ detail: { object: { key: [{ suffix: '.csv' }] } } }, objectCreated),
    ).toBe(true);
    expect(
      matchesPattern(
        { detail: { object: { size: [{ numeric: ['>', 5, '<=', 7] }] } } },
        objectCreated,
      ),
    ).toBe(true);
    expect(matchesPattern({ resources: ['arn:aws:s3:::raw'] }, objectCreated)).toBe(true);
    expect(matchesPattern({ source: ['aws.s3'], missing: ['x'] }, objectCreated)).toBe(false);
  });

  it('refuses a content filter it does not implement instead of guessing', () => {
    expect(() => matchesPattern({ source: [{ cidr: '10.0.0.0/8' }] }, objectCreated)).toThrow(
      'does not implement the content filter cidr',
    );
  });
});
