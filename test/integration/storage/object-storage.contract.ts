import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListEntry, ObjectStorage } from '../../../lambdas/core/ports/object-storage.js';
import { MissingObjectError } from '../../../lambdas/core/ports/object-storage.js';

/** Makes an empty storage location; `pageSize` forces small listing pages where the adapter pages. */
export type StorageFactory = (options?: { pageSize?: number }) => Promise<ObjectStorage>;

async function collect(iterable: AsyncIterable<ListEntry>): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of iterable)
    keys.push(entry.isFolder ? `${entry.key} (folder)` : entry.key);
  return keys;
}

async function seed(storage: ObjectStorage, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => storage.upload(key, `content of ${key}`)));
}

const TREE = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'ba.txt', 'd/e/f/4.txt'];

/**
 * The behaviour every ObjectStorage adapter shares, run against each: the
 * S3 server and a temporary folder.
 */
export function describeObjectStorageContract(name: string, fresh: StorageFactory): void {
  describe(`${name} (ObjectStorage contract)`, () => {
    let downloads: string;

    beforeAll(async () => {
      downloads = await mkdtemp(join(tmpdir(), 'bucketflow-downloads-'));
    });

    afterAll(async () => {
      await rm(downloads, { recursive: true, force: true });
    });

    it('reads back the bytes and text it uploaded, and replaces on a second upload', async () => {
      // Prepare
      const storage = await fresh();
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);

      // Act
      await storage.upload('bin/data.bin', bytes);
      await storage.upload('notes/ünïcödé note.txt', 'first');
      await storage.upload('notes/ünïcödé note.txt', 'grüße');

      // Assess
      expect(await storage.read('bin/data.bin')).toEqual(bytes);
      expect(await storage.readText('notes/ünïcödé note.txt')).toBe('grüße');
    });

    it('describes an object with its size and modification time', async () => {
      // Prepare
      // Modification times come from the storage's clock (the file system's, which faketime
      // does not shift), so the test compares them with an earlier object's, not with Date.now.
      const storage = await fresh();
      await storage.upload('earlier.txt', 'first');
      const earlier = await storage.head('earlier.txt');
      await storage.upload('a/b.txt', 'hello');

      // Act
      const info = await storage.head('a/b.txt');

      // Assess
      expect(info).toMatchObject({ key: 'a/b.txt', size: 5 });
      expect(Number.isInteger(earlier.lastModified) && earlier.lastModified > 0).toBe(true);
      // S3 keeps whole seconds.
      expect(info.lastModified).toBeGreaterThanOrEqual(earlier.lastModified - 1_000);
      expect(await storage.exists('a/b.txt')).toBe(true);
      expect(await storage.exists('a/b')).toBe(false);
      expect(await storage.exists('a')).toBe(false);
    });

    it('raises MissingObjectError naming the address for a missing object', async () => {
      // Prepare
      const storage = await fresh();
      const address = storage.describe('no/such.txt');

      // Act
      const errors = await Promise.all([
        storage.read('no/such.txt').catch((error: unknown) => error),
        storage.readText('no/such.txt').catch((error: unknown) => error),
        storage.head('no/such.txt').catch((error: unknown) => error),
        storage.download('no/such.txt', join(downloads, 'never.txt')).catch((e: unknown) => e),
        storage.move('no/such.txt', 'elsewhere.txt').catch((error: unknown) => error),
      ]);

      // Assess
      for (const error of errors) {
        expect(error).toBeInstanceOf(MissingObjectError);
        expect((error as Error).message).toBe(`${address}: no such object`);
      }
      expect(await readdir(downloads)).not.toContain('never.txt');
    });

    it('lists every object below a prefix recursively, in key order', async () => {
      // Prepare
      const storage = await fresh();
      await seed(storage, TREE);

      // Act
      const all = await collect(storage.list());
      const underB = await collect(storage.list({ prefix: 'b/' }));
      const startingWithB = await collect(storage.list({ prefix: 'b' }));

      // Assess
      expect(all).toEqual(TREE);
      expect(underB).toEqual(['b/1.txt', 'b/2.txt', 'b/c/3.txt']);
      expect(startingWithB).toEqual(['b/1.txt', 'b/2.txt', 'b/c/3.txt', 'ba.txt']);
    });

    it('lists direct children and folders when not recursive', async () => {
      // Prepare
      const storage = await fresh();
      await seed(storage, TREE);

      // Act
      const root = await collect(storage.list({ recursive: false }));
      const underB = await collect(storage.list({ prefix: 'b/', recursive: false }));
      const partial = await collect(storage.list({ prefix: 'd/e', recursive: false }));

      // Assess
      expect(root).toEqual(['a.txt', 'b/ (folder)', 'ba.txt', 'd/ (folder)']);
      expect(underB).toEqual(['b/1.txt', 'b/2.txt', 'b/c/ (folder)']);
      expect(partial).toEqual(['d/e/ (folder)']);
    });

    it('lists more objects than one page holds', async () => {
      // Prepare
      const storage = await fresh({ pageSize: 3 });
      const keys = Array.from(
        { length: 10 },
        (_, index) => `many/${String(index).padStart(2, '0')}`,
      );
      await seed(storage, [...keys, 'many/sub/x', 'many/sub/y', 'other']);

      // Act
      const recursive = await collect(storage.list({ prefix: 'many/' }));
      const shallow = await collect(storage.list({ prefix: 'many/', recursive: false }));

      // Assess
      expect(recursive).toEqual([...keys, 'many/sub/x', 'many/sub/y']);
      expect(shallow).toEqual([...keys, 'many/sub/ (folder)']);
    });

    it('lists nothing for a prefix without objects', async () => {
      // Prepare
      const storage = await fresh();
      await seed(storage, TREE);

      // Act
      const keys = await collect(storage.list({ prefix: 'zzz/', recursive: false }));

      // Assess
      expect(keys).toEqual([]);
    });

    it('downloads an object to a local file, creating its folders', async () => {
      // Prepare
      const storage = await fresh();
      await storage.upload('x/y.txt', 'payload');
      const target = join(downloads, 'deep', 'er', 'y.txt');

      // Act
      await storage.download('x/y.txt', target);

      // Assess
      expect(await readFile(target, 'utf8')).toBe('payload');
      expect(await readdir(join(downloads, 'deep', 'er'))).toEqual(['y.txt']);
    });

    it('moves an object, replacing the target, with special characters in keys', async () => {
      // Prepare
      const storage = await fresh();
      await storage.upload('in box/a b %20 ü.txt', 'moved');
      await storage.upload('done/target.txt', 'old');

      // Act
      await storage.move('in box/a b %20 ü.txt', 'done/target.txt');

      // Assess
      expect(await storage.readText('done/target.txt')).toBe('moved');
      expect(await storage.exists('in box/a b %20 ü.txt')).toBe(false);
    });

    it('moves an object onto itself without losing it', async () => {
      // Prepare
      const storage = await fresh();
      await storage.upload('same.txt', 'still here');

      // Act
      await storage.move('same.txt', 'same.txt');

      // Assess
      expect(await storage.readText('same.txt')).toBe('still here');
    });

    it('deletes an object, and deleting a missing one succeeds', async () => {
      // Prepare
      const storage = await fresh();
      await seed(storage, ['gone.txt', 'kept.txt']);

      // Act
      await storage.delete('gone.txt');
      await storage.delete('gone.txt');
      await storage.delete('never/existed.txt');

      // Assess
      expect(await collect(storage.list())).toEqual(['kept.txt']);
    });

    it('refuses an empty key', async () => {
      // Prepare
      const storage = await fresh();

      // Act
      const error = await storage.upload('', 'x').catch((caught: unknown) => caught);

      // Assess
      expect((error as Error).message).toMatch(/^key: must be a non-empty string/);
    });
  });
}
