import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFolderStorage } from '../../../lambdas/adapters/local/local-folder-storage.js';
import {
  InvalidObjectKeyError,
  ObjectKeyConflictError,
} from '../../../lambdas/core/ports/object-storage.js';
import { describeObjectStorageContract } from './object-storage.contract.js';

const roots: string[] = [];

async function freshFolder() {
  const root = await mkdtemp(join(tmpdir(), 'bucketflow-folder-'));
  roots.push(root);
  return { storage: new LocalFolderStorage({ root }), root };
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describeObjectStorageContract('LocalFolderStorage', async () => (await freshFolder()).storage);

describe('LocalFolderStorage', () => {
  let storage: LocalFolderStorage;
  let root: string;
  let outside: string;

  beforeAll(async () => {
    ({ storage, root } = await freshFolder());
    outside = await mkdtemp(join(tmpdir(), 'bucketflow-outside-'));
    roots.push(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
  });

  it.each([
    ['../secret.txt', /"\.\." segment/],
    ['a/../../secret.txt', /"\.\." segment/],
    ['./a.txt', /"\." segment/],
    ['/etc/passwd', /absolute/],
    ['C:/Windows/win.ini', /drive letter/],
    ['a\\..\\..\\secret.txt', /'\\'/],
    ['a\0b', /NUL/],
    ['a//b', /empty segment/],
    ['folder/', /empty segment/],
  ])('refuses the key %j, which could leave the folder', async (key, problem) => {
    // Act
    const errors = await Promise.all([
      storage.read(key).catch((error: unknown) => error),
      storage.upload(key, 'x').catch((error: unknown) => error),
      storage.delete(key).catch((error: unknown) => error),
      storage.move('a.txt', key).catch((error: unknown) => error),
    ]);

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(InvalidObjectKeyError);
      expect((error as Error).message).toMatch(problem);
    }
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('names the file path of a missing object', async () => {
    // Act
    const error = await storage.read('x/missing.txt').catch((caught: unknown) => caught);

    // Assess
    expect((error as Error).message).toBe(`${join(root, 'x', 'missing.txt')}: no such object`);
  });

  it('refuses a key whose folder is a file, and one that names a folder', async () => {
    // Prepare
    const { storage: fresh } = await freshFolder();
    await fresh.upload('a', 'file a');
    await fresh.upload('b/c.txt', 'file c');

    // Act
    const underFile = await fresh.upload('a/b.txt', 'x').catch((error: unknown) => error);
    const ontoFolder = await fresh.upload('b', 'x').catch((error: unknown) => error);

    // Assess
    expect(underFile).toBeInstanceOf(ObjectKeyConflictError);
    expect(ontoFolder).toBeInstanceOf(ObjectKeyConflictError);
    expect((ontoFolder as Error).message).toMatch(/a folder has this path/);
    expect(await fresh.readText('a')).toBe('file a');
  });

  it('lists regular files only: no symbolic links, empty folders or partial writes', async () => {
    // Prepare
    const { storage: fresh, root: freshRoot } = await freshFolder();
    await fresh.upload('real.txt', 'x');
    await symlink(join(outside, 'secret.txt'), join(freshRoot, 'link.txt'));
    await mkdir(join(freshRoot, 'empty', 'deeper'), { recursive: true });
    await writeFile(join(freshRoot, 'real.txt.bucketflow-partial-abcd1234'), 'half');

    // Act
    const listed: string[] = [];
    for await (const entry of fresh.list({ recursive: false })) listed.push(entry.key);

    // Assess
    expect(listed).toEqual(['real.txt']);
  });

  it('refuses every operation on a key that leaves the folder through a symbolic link', async () => {
    // Prepare: a folder link and a file link that both point outside the root
    const { storage: fresh, root: freshRoot } = await freshFolder();
    await fresh.upload('inside.txt', 'mine');
    await symlink(outside, join(freshRoot, 'escape'));
    await symlink(join(outside, 'secret.txt'), join(freshRoot, 'secret-link.txt'));
    const downloadTo = join(freshRoot, 'downloaded.txt');
    const attempts: Record<string, () => Promise<unknown>> = {
      read: () => fresh.read('escape/secret.txt'),
      readText: () => fresh.readText('secret-link.txt'),
      head: () => fresh.head('escape/secret.txt'),
      exists: () => fresh.exists('escape/secret.txt'),
      upload: () => fresh.upload('escape/planted.txt', 'x'),
      download: () => fresh.download('secret-link.txt', downloadTo),
      'move from': () => fresh.move('escape/secret.txt', 'stolen.txt'),
      'move to': () => fresh.move('inside.txt', 'escape/inside.txt'),
      delete: () => fresh.delete('escape/secret.txt'),
      list: async () => {
        for await (const _entry of fresh.list({ prefix: 'escape/' })) return;
      },
    };

    // Act
    const outcomes = await Promise.all(
      Object.entries(attempts).map(async ([operation, attempt]) => [
        operation,
        await attempt().then(
          () => 'allowed',
          (error: unknown) =>
            error instanceof InvalidObjectKeyError &&
            /resolves outside the folder/.test(error.message)
              ? 'refused'
              : String(error),
        ),
      ]),
    );

    // Assess: nothing outside was read, listed, written, moved or deleted
    expect(Object.fromEntries(outcomes)).toEqual(
      Object.fromEntries(Object.keys(attempts).map((operation) => [operation, 'refused'])),
    );
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await fresh.readText('inside.txt')).toBe('mine');
  });

  it('treats a folder as no object', async () => {
    // Prepare
    const { storage: fresh } = await freshFolder();
    await fresh.upload('dir/file.txt', 'x');

    // Act
    const exists = await fresh.exists('dir');
    await fresh.delete('dir');

    // Assess
    expect(exists).toBe(false);
    expect(await fresh.readText('dir/file.txt')).toBe('x');
  });
});
