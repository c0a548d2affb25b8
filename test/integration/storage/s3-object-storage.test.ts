import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestAccounting } from '../../../lambdas/adapters/aws/request-accounting.js';
import { S3ObjectStorage } from '../../../lambdas/adapters/aws/storage/s3-object-storage.js';
import { localClients, uniqueName } from '../support/local-aws.js';
import { describeObjectStorageContract } from './object-storage.contract.js';

const clients = localClients();

async function freshBucket(pageSize?: number) {
  const bucket = uniqueName('bucketflow-storage');
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const storage = new S3ObjectStorage({
    client: clients.s3,
    bucket,
    ...(pageSize ? { pageSize } : {}),
  });
  return { storage, bucket };
}

describeObjectStorageContract('S3ObjectStorage', async (options = {}) => {
  return (await freshBucket(options.pageSize)).storage;
});

describe('S3ObjectStorage', () => {
  afterAll(() => clients.s3.destroy());

  it('pages through a listing with one ListObjects request per page', async () => {
    // Prepare
    const { storage } = await freshBucket(4);
    const keys = Array.from({ length: 10 }, (_, index) => `k/${index}`);
    await Promise.all(keys.map((key) => storage.upload(key, 'x')));
    const accounting = new RequestAccounting().attach({ s3: clients.s3 });

    // Act
    const listed: string[] = [];
    for await (const entry of storage.list({ prefix: 'k/' })) listed.push(entry.key);

    // Assess
    expect(listed).toEqual(keys);
    expect(accounting.requests('s3', 'ListObjects')).toBe(3);
  });

  it('resumes a non-recursive listing after a folder that fills a page', async () => {
    // Prepare
    const { storage } = await freshBucket(3);
    const keys = [...Array.from({ length: 10 }, (_, index) => `big/${index}`), 'z.txt'];
    await Promise.all(keys.map((key) => storage.upload(key, 'x')));
    const accounting = new RequestAccounting().attach({ s3: clients.s3 });

    // Act
    const listed: string[] = [];
    for await (const entry of storage.list({ recursive: false })) listed.push(entry.key);

    // Assess: the second page starts after big/, not at big/3.
    expect(listed).toEqual(['big/', 'z.txt']);
    expect(accounting.requests('s3', 'ListObjects')).toBe(2);
  });

  it('names the bucket and key of a missing object as an s3:// address', async () => {
    // Prepare
    const { storage, bucket } = await freshBucket();

    // Act
    const error = await storage.read('a/missing.txt').catch((caught: unknown) => caught);

    // Assess
    expect((error as Error).message).toBe(`s3://${bucket}/a/missing.txt: no such object`);
  });

  it('reports the etag S3 computed', async () => {
    // Prepare
    const { storage } = await freshBucket();
    await storage.upload('e.txt', 'hello');

    // Act
    const info = await storage.head('e.txt');

    // Assess: the MD5 of "hello", quoted.
    expect(info.etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  });

  it('refuses a page size S3 does not allow', () => {
    // Act
    const create = () => new S3ObjectStorage({ client: clients.s3, bucket: 'b', pageSize: 1001 });

    // Assess
    expect(create).toThrow(/pageSize: must be an integer from 1 to 1000/);
  });
});
