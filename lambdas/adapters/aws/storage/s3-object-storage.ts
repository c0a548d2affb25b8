import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ValidationError } from '../../../core/errors.js';
import type {
  ListEntry,
  ListOptions,
  ObjectInfo,
  ObjectStorage,
} from '../../../core/ports/object-storage.js';
import { MissingObjectError, unlessMissing } from '../../../core/ports/object-storage.js';
import { compareKeys, folderBelow, validateObjectKey } from '../../../core/storage/object-key.js';

/** S3 returns at most 1,000 keys per ListObjects page. */
export const S3_LIST_PAGE_MAX = 1000;
/** The greatest code point: `folder/` + it sorts after (almost) every key in the folder. */
const AFTER_FOLDER = '\u{10FFFF}';

export interface S3ObjectStorageOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Keys per ListObjects page, 1-1000 (tests force pagination with a small one). @default 1000 */
  readonly pageSize?: number;
}

/**
 * {@link ObjectStorage} on an S3 bucket. A move is CopyObject then
 * DeleteObject (S3 copies up to 5 GB in one call; larger objects need a
 * multipart copy, which this does not do).
 *
 * Listings page through ListObjects with `Marker` (the key to start
 * after) and derive folders from the keys (no `Delimiter`): the local S3
 * server fails every truncated ListObjectsV2 page on Node 20+ (it ciphers
 * continuation tokens with DES, which OpenSSL 3 dropped) and leaves out
 * folders without direct children when given a delimiter. A page that ends inside a folder resumes after the folder, so
 * a non-recursive listing costs about one request per 1,000 keys it walks,
 * or per folder whose keys reach a page end, whichever is more.
 *
 * @example
 * ```ts
 * const storage = new S3ObjectStorage({ client: clients.s3, bucket: 'raw-scenes' });
 * const text = await storage.readText('manifests/today.json');
 * ```
 */
export class S3ObjectStorage implements ObjectStorage {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #pageSize: number;

  constructor(options: S3ObjectStorageOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    const pageSize = options.pageSize ?? S3_LIST_PAGE_MAX;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > S3_LIST_PAGE_MAX) {
      throw new ValidationError(
        'pageSize',
        `must be an integer from 1 to ${S3_LIST_PAGE_MAX}, got ${pageSize}`,
        'leave it out for 1000',
      );
    }
    this.#pageSize = pageSize;
  }

  describe(key: string): string {
    return `s3://${this.#bucket}/${key}`;
  }

  async read(key: string): Promise<Uint8Array> {
    const { Body } = await this.#get(key);
    return Body ? Body.transformToByteArray() : new Uint8Array();
  }

  async readText(key: string): Promise<string> {
    const { Body } = await this.#get(key);
    return Body ? Body.transformToString('utf-8') : '';
  }

  async head(key: string): Promise<ObjectInfo> {
    validateObjectKey(key);
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      return {
        key,
        size: output.ContentLength ?? 0,
        etag: output.ETag,
        lastModified: output.LastModified?.getTime() ?? 0,
      };
    } catch (error) {
      throw this.#missingOr(error, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return unlessMissing(
      this.head(key).then(() => true),
      false,
    );
  }

  async *list(options: ListOptions = {}): AsyncIterable<ListEntry> {
    const prefix = options.prefix ?? '';
    const recursive = options.recursive ?? true;
    let startAfter: string | undefined;
    let lastFolder: string | undefined;
    for (;;) {
      const page = await this.#client.send(
        new ListObjectsCommand({
          Bucket: this.#bucket,
          Prefix: prefix || undefined,
          MaxKeys: this.#pageSize,
          Marker: startAfter,
        }),
      );
      const objects = (page.Contents ?? [])
        .filter((object): object is typeof object & { Key: string } => object.Key !== undefined)
        .sort((a, b) => compareKeys(a.Key, b.Key));
      for (const object of objects) {
        const folder = recursive ? undefined : folderBelow(object.Key, prefix);
        if (folder === undefined) {
          yield {
            key: object.Key,
            size: object.Size ?? 0,
            etag: object.ETag,
            lastModified: object.LastModified?.getTime() ?? 0,
            isFolder: false,
          };
        } else if (folder !== lastFolder) {
          lastFolder = folder;
          yield { key: folder, isFolder: true };
        }
      }
      const last = objects.at(-1)?.Key;
      if (!page.IsTruncated || last === undefined) return;
      startAfter = nextStart(last, recursive ? undefined : folderBelow(last, prefix));
    }
  }

  async upload(key: string, body: Uint8Array | string): Promise<void> {
    validateObjectKey(key);
    await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body }));
  }

  async download(key: string, localPath: string): Promise<void> {
    const { Body } = await this.#get(key);
    await mkdir(dirname(localPath), { recursive: true });
    const partial = `${localPath}.partial-${randomUUID().slice(0, 8)}`;
    try {
      await pipeline(Body as Readable, createWriteStream(partial));
      await rename(partial, localPath);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    validateObjectKey(from, 'from');
    validateObjectKey(to, 'to');
    // S3 refuses to copy an object onto itself unchanged; moving onto itself only checks it exists.
    if (from === to) {
      await this.head(from);
      return;
    }
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.#bucket,
          Key: to,
          CopySource: this.#copySource(from),
        }),
      );
    } catch (error) {
      throw this.#missingOr(error, from);
    }
    await this.delete(from);
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async #get(key: string) {
    validateObjectKey(key);
    try {
      return await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      throw this.#missingOr(error, key);
    }
  }

  /** `bucket/key` with the key URL-encoded except its slashes, as CopyObject expects. */
  #copySource(key: string): string {
    return `${this.#bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  #missingOr(error: unknown, key: string): unknown {
    const name = error instanceof Error ? error.name : '';
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata
      ?.httpStatusCode;
    // HEAD responses have no body, so a missing object there is a bare 404 named NotFound.
    if (
      name === 'NoSuchKey' ||
      name === 'NotFound' ||
      (status === 404 && name !== 'NoSuchBucket')
    ) {
      return new MissingObjectError(this.describe(key), key, { cause: error });
    }
    return error;
  }
}

/**
 * Where the next page starts: after the last key, or, when a non-recursive
 * listing ended inside a folder already announced, after the whole folder.
 * A key that sorts after the skip point (one holding U+10FFFF) only costs a
 * repeated page whose folder is not yielded twice; progress is kept by never
 * starting before the last key.
 */
function nextStart(lastKey: string, folder: string | undefined): string {
  if (folder === undefined) return lastKey;
  const skip = `${folder}${AFTER_FOLDER}`;
  return compareKeys(skip, lastKey) > 0 ? skip : lastKey;
}
