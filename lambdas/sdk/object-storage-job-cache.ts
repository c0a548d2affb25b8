import type { ObjectStorage } from '../core/ports/object-storage.js';
import { unlessMissing } from '../core/ports/object-storage.js';
import { JobCacheUnavailableError } from './errors.js';
import { type JobCache, joinCacheKey } from './job-cache.js';

/**
 * The storage prefix of a job's cache: `jobs/<jobId>/cache/`.
 *
 * @example
 * ```ts
 * jobCachePrefix('01J9Z3'); // 'jobs/01J9Z3/cache/'
 * ```
 */
export function jobCachePrefix(jobId: string): string {
  return `jobs/${jobId}/cache/`;
}

/**
 * A {@link JobCache} kept as objects in a storage location (an S3 bucket or a
 * local folder) under {@link jobCachePrefix}: one object per key, so every
 * runner of the job sees the same entries.
 *
 * @example
 * ```ts
 * const cache = new ObjectStorageJobCache(storage, jobId);
 * await cache.group('numbers').set('n1', '42'); // object jobs/<jobId>/cache/numbers/n1
 * ```
 */
export class ObjectStorageJobCache implements JobCache {
  readonly path: string;
  readonly #storage: ObjectStorage;
  readonly #prefix: string;
  readonly #jobId: string;

  constructor(storage: ObjectStorage, jobId: string, path = '') {
    this.#storage = storage;
    this.#prefix = jobCachePrefix(jobId);
    this.path = path;
    this.#jobId = jobId;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return unlessMissing(this.#storage.read(this.#objectKey(key)), undefined);
  }

  async set(key: string, value: Uint8Array | string): Promise<void> {
    await this.#storage.upload(this.#objectKey(key), value);
  }

  async has(key: string): Promise<boolean> {
    return await this.#storage.exists(this.#objectKey(key));
  }

  async delete(key: string): Promise<boolean> {
    const objectKey = this.#objectKey(key);
    // Two calls, because neither S3 nor a folder says whether a delete removed anything.
    const existed = await this.#storage.exists(objectKey);
    if (existed) await this.#storage.delete(objectKey);
    return existed;
  }

  group(name: string): JobCache {
    return new ObjectStorageJobCache(
      this.#storage,
      this.#jobId,
      joinCacheKey(this.path, name, 'name'),
    );
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    const prefix = this.path === '' ? this.#prefix : `${this.#prefix}${this.path}/`;
    const keys: string[] = [];
    for await (const entry of this.#storage.list({ prefix, recursive: false })) {
      if (!entry.isFolder) keys.push(entry.key.slice(prefix.length));
    }
    yield* keys.sort();
  }

  #objectKey(key: string): string {
    return `${this.#prefix}${joinCacheKey(this.path, key)}`;
  }
}

/**
 * The cache of a runner configured without cache storage: every call throws
 * {@link JobCacheUnavailableError}, so a task learns why at its first use.
 *
 * @example
 * ```ts
 * await new UnavailableJobCache().get('a'); // throws JobCacheUnavailableError
 * ```
 */
export class UnavailableJobCache implements JobCache {
  readonly path: string;

  constructor(path = '') {
    this.path = path;
  }

  get(): Promise<Uint8Array | undefined> {
    return Promise.reject(this.#error());
  }

  set(): Promise<void> {
    return Promise.reject(this.#error());
  }

  has(): Promise<boolean> {
    return Promise.reject(this.#error());
  }

  delete(): Promise<boolean> {
    return Promise.reject(this.#error());
  }

  group(name: string): JobCache {
    return new UnavailableJobCache(joinCacheKey(this.path, name, 'name'));
  }

  // biome-ignore lint/correctness/useYield: it throws before yielding, on purpose
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    throw this.#error();
  }

  #error(): JobCacheUnavailableError {
    return new JobCacheUnavailableError(
      'jobCache',
      'this runner has no cache storage',
      'pass cacheStorage (an S3 bucket or a local folder) to the runner',
    );
  }
}
