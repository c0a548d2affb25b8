import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFolderStorage } from '../../../lambdas/adapters/local/local-folder-storage.js';
import { InvalidCacheKeyError } from '../../../lambdas/sdk/errors.js';
import type { JobCache } from '../../../lambdas/sdk/job-cache.js';
import { ObjectStorageJobCache } from '../../../lambdas/sdk/object-storage-job-cache.js';

async function newStorage(): Promise<LocalFolderStorage> {
  return new LocalFolderStorage({ root: await mkdtemp(join(tmpdir(), 'job-cache-')) });
}

async function keysOf(cache: JobCache): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of cache) keys.push(key);
  return keys;
}

describe('ObjectStorageJobCache', () => {
  it('stores, reads, checks and deletes entries under jobs/<jobId>/cache/', async () => {
    // Prepare
    const storage = await newStorage();
    const cache = new ObjectStorageJobCache(storage, 'job-1');

    // Act
    await cache.set('a', 'alpha');
    const value = await cache.get('a');
    const had = await cache.has('a');
    const deleted = await cache.delete('a');
    const deletedAgain = await cache.delete('a');

    // Assess
    expect(new TextDecoder().decode(value)).toBe('alpha');
    expect([had, deleted, deletedAgain]).toEqual([true, true, false]);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.has('a')).toBe(false);
  });

  it('names the same entry through a group and a path key', async () => {
    // Prepare
    const storage = await newStorage();
    const cache = new ObjectStorageJobCache(storage, 'job-1');

    // Act
    await cache.group('tiles').set('a1', new Uint8Array([1, 2]));

    // Assess
    expect(await cache.get('tiles/a1')).toEqual(new Uint8Array([1, 2]));
    expect(await storage.exists('jobs/job-1/cache/tiles/a1')).toBe(true);
  });

  it('iterates the keys directly inside a group, sorted, without nested groups', async () => {
    // Prepare
    const storage = await newStorage();
    const cache = new ObjectStorageJobCache(storage, 'job-1');
    const numbers = cache.group('numbers');
    await Promise.all([
      numbers.set('n2', '2'),
      numbers.set('n1', '1'),
      numbers.set('deep/n3', '3'),
    ]);
    await cache.set('top', 't');

    // Act
    const inNumbers = await keysOf(numbers);
    const atRoot = await keysOf(cache);

    // Assess
    expect(inNumbers).toEqual(['n1', 'n2']);
    expect(atRoot).toEqual(['top']);
    expect(await keysOf(numbers.group('deep'))).toEqual(['n3']);
  });

  it('keeps the caches of two jobs apart', async () => {
    // Prepare
    const storage = await newStorage();
    await new ObjectStorageJobCache(storage, 'job-1').set('a', '1');

    // Act
    const other = new ObjectStorageJobCache(storage, 'job-2');

    // Assess
    expect(await other.has('a')).toBe(false);
    expect(await keysOf(other)).toEqual([]);
  });

  it('rejects keys with empty or dot segments', async () => {
    // Prepare
    const cache = new ObjectStorageJobCache(await newStorage(), 'job-1');

    // Act
    const attempts = [() => cache.set('a//b', 'x'), () => cache.get('../a'), () => cache.has('/a')];

    // Assess
    for (const attempt of attempts) await expect(attempt()).rejects.toThrow(InvalidCacheKeyError);
  });
});
