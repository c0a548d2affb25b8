import { execFile } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
// The SDK's own signer (a dependency of the S3 client) makes the presigned URL.
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { localClients, uniqueName } from './support/local-aws.js';

const FOREIGN = 'https://evil.example';

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 and HMAC-SHA-256 in the shape the SDK's signer takes. */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

describe('local servers', () => {
  const endpoints = inject('awsEndpoints');
  const clients = localClients();
  let bucket: string;
  let queueUrl: string;

  beforeAll(async () => {
    bucket = uniqueName('guard');
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    ({ QueueUrl: queueUrl = '' } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: uniqueName('guard') }),
    ));
  });

  const objectExists = (key: string) =>
    clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      () => false,
    );

  it('listen on 127.0.0.1 only', async () => {
    // Prepare
    const ports = [endpoints.dynamodb, endpoints.sqs, endpoints.s3].map(
      (url) => new URL(url ?? '').port,
    );

    // Act
    const { stdout } = await promisify(execFile)('ss', ['-ltnH']);

    // Assess
    for (const port of ports) {
      const sockets = stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[3] ?? '')
        .filter((address) => address.endsWith(`:${port}`));
      expect(sockets.length, `port ${port} listens`).toBeGreaterThan(0);
      for (const address of sockets)
        expect(address).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):/);
    }
  });

  it('refuse a cross-origin form POST to S3, which creates no object', async () => {
    // Prepare
    const form = new FormData();
    form.append('key', 'forged.txt');
    form.append('file', new Blob(['forged']), 'forged.txt');

    // Act
    const response = await fetch(`${endpoints.s3}/${bucket}`, {
      method: 'POST',
      headers: { origin: FOREIGN, 'sec-fetch-site': 'cross-site' },
      body: form,
    });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/browser requests are refused/);
    expect(await objectExists('forged.txt')).toBe(false);
  });

  it('refuse a cross-origin form POST to SQS, which sends no message', async () => {
    // Prepare
    const body = new URLSearchParams({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: '{"forged":true}',
    });

    // Act
    const response = await fetch(endpoints.sqs ?? '', {
      method: 'POST',
      headers: { origin: FOREIGN, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

    // Assess
    expect(response.status).toBe(403);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('refuse a cross-origin request to DynamoDB Local', async () => {
    // Act
    const response = await fetch(endpoints.dynamodb ?? '', {
      method: 'POST',
      headers: {
        origin: FOREIGN,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(403);
  });

  it('refuse a request for another Host name (DNS rebinding)', async () => {
    // Act
    const response = await fetch(`${endpoints.s3}/${bucket}/a.txt`, {
      headers: { host: `rebound.example:${new URL(endpoints.s3 ?? '').port}` },
    });

    // Assess
    expect(response.status).toBe(403);
  });

  it('let S3 refuse unsigned requests and requests signed with another secret', async () => {
    // Prepare
    const stranger = new S3Client({
      region: endpoints.region,
      endpoint: endpoints.s3,
      forcePathStyle: true,
      credentials: {
        accessKeyId: endpoints.credentials?.accessKeyId ?? '',
        secretAccessKey: 'guessed',
      },
    });

    // Act
    const anonymous = await fetch(`${endpoints.s3}/${bucket}/anonymous.txt`, {
      method: 'PUT',
      body: 'anonymous',
    });
    const signedWrong = await stranger
      .send(new GetObjectCommand({ Bucket: bucket, Key: 'anything.txt' }))
      .then(
        () => 'accepted',
        (error: Error) => error.name,
      );

    // Assess
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toMatch(/anonymous requests are refused/);
    expect(signedWrong).toBe('AccessDenied');
    expect(await objectExists('anonymous.txt')).toBe(false);
    stranger.destroy();
  });

  it('let S3 accept a presigned URL made with its credentials', async () => {
    // Prepare
    const key = 'presigned a+b.txt';
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'shared' }));
    const url = new URL(`${endpoints.s3}/${bucket}/${encodeURIComponent(key)}`);
    const signer = new SignatureV4({
      service: 's3',
      region: endpoints.region,
      credentials: endpoints.credentials ?? { accessKeyId: '', secretAccessKey: '' },
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });

    // Act
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        // As S3's presigner does: a presigned URL never signs its payload.
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        query: {},
      },
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(signed.query as Record<string, string>).toString();
    const response = await fetch(`${url.origin}${url.pathname}?${query}`);

    // Assess
    expect(await response.text()).toBe('shared');
    expect(response.status).toBe(200);
  });
});
