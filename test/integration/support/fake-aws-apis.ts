import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake received: what the SDK signed it with, and what it asked. */
export interface SignedRequest {
  /** Access key id of the Authorization header's credential scope. */
  readonly accessKeyId: string;
  /** Region of the credential scope: where the SDK resolved the call to go. */
  readonly region: string;
  readonly target: string;
}

export interface FakeApi {
  readonly url: string;
  readonly requests: SignedRequest[];
  close(): Promise<void>;
}

export interface FakeStackOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
  readonly Description?: string;
}

/**
 * A loopback server that speaks CloudFormation's DescribeStacks (AWS query
 * protocol, XML answers), with the stacks given. No local server speaks
 * CloudFormation; this one also records how each request was signed, so a
 * test can tell which profile's credentials and region the CLI used.
 */
export function startFakeCloudFormation(
  stacks: Readonly<Record<string, readonly FakeStackOutput[]>>,
): Promise<FakeApi> {
  return serve(async (request, requests) => {
    const form = new URLSearchParams(await body(request));
    requests.push({ ...signature(request), target: form.get('Action') ?? '' });
    const name = form.get('StackName') ?? '';
    const outputs = stacks[name];
    if (form.get('Action') !== 'DescribeStacks' || outputs === undefined) {
      return xml(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escapeXml(name)} does not exist</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
      );
    }
    const members = outputs
      .map(
        (output) =>
          `<member><OutputKey>${escapeXml(output.OutputKey)}</OutputKey><OutputValue>${escapeXml(output.OutputValue)}</OutputValue>${output.Description ? `<Description>${escapeXml(output.Description)}</Description>` : ''}</member>`,
      )
      .join('');
    return xml(
      200,
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${escapeXml(name)}</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${escapeXml(name)}/fake</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
}

/**
 * A loopback server that answers S3's GetBucketNotificationConfiguration,
 * which the local S3 server does not implement: the buckets in `eventBridge`
 * have EventBridge notifications on, the others have none.
 */
export function startFakeS3Notifications(eventBridge: ReadonlySet<string>): Promise<FakeApi> {
  return serve(async (request, requests) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    requests.push({ ...signature(request), target: `${request.method} ${bucket}?${url.search}` });
    if (request.method !== 'GET' || !url.searchParams.has('notification')) {
      return xml(501, '<Error><Code>NotImplemented</Code><Message>fake</Message></Error>');
    }
    const inner = eventBridge.has(bucket)
      ? '<EventBridgeConfiguration></EventBridgeConfiguration>'
      : '';
    return xml(
      200,
      `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</NotificationConfiguration>`,
    );
  });
}

type Reply = { status: number; body: string };

async function serve(
  handle: (request: IncomingMessage, requests: SignedRequest[]) => Promise<Reply>,
): Promise<FakeApi> {
  const requests: SignedRequest[] = [];
  const server: Server = createServer((request, response) => {
    handle(request, requests)
      .then(({ status, body: text }) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(text);
      })
      .catch((error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signature(request: IncomingMessage): Omit<SignedRequest, 'target'> {
  const scope = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(request.headers.authorization ?? '');
  return { accessKeyId: scope?.[1] ?? '', region: scope?.[2] ?? '' };
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function xml(status: number, text: string): Reply {
  return { status, body: `<?xml version="1.0" encoding="UTF-8"?>${text}` };
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
