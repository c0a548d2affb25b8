import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** An access key pair a local server accepts. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const HEADER_AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
/** Longest validity AWS accepts for a presigned URL: 7 days. */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;

/**
 * Why a request to the local S3 server is not signed with `credentials`
 * (AWS Signature Version 4, in the Authorization header or a presigned
 * URL), or undefined when its signature is valid. The local S3 server
 * (s3rver) accepts anonymous requests and does not check V4 signatures at
 * all; this check stands in front of it. The canonical request is built as
 * S3 builds it: the path as sent (S3 neither normalises nor re-encodes it),
 * the query re-encoded and sorted, the signed headers, and the payload hash
 * the client declared in `x-amz-content-sha256` (`UNSIGNED-PAYLOAD` for a
 * presigned URL). The body is not hashed: the signature proves the key.
 *
 * @example
 * ```ts
 * const problem = signatureProblem(request, { accessKeyId, secretAccessKey }, 's3', Date.now());
 * ```
 */
export function signatureProblem(
  request: IncomingMessage,
  credentials: LocalCredentials,
  service: string,
  now: number,
): string | undefined {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? '' : url.slice(queryStart + 1));
  if (query === undefined) return 'the query string is not valid percent-encoding';
  const authorization = headerValue(request, 'authorization');
  const presigned = query.some(([name]) => name === 'X-Amz-Algorithm');
  let parts: SignatureParts | string;
  if (authorization !== undefined && !presigned) parts = headerParts(request, authorization);
  else if (presigned && authorization === undefined) parts = queryParts(query, now);
  else if (presigned)
    return 'a request may carry only one of an Authorization header and a presigned URL';
  else
    return 'anonymous requests are refused: sign them with the access key the server was started with';
  if (typeof parts === 'string') return parts;

  const [accessKeyId, date, region, scopedService, terminator] = parts.credential.split('/');
  if (accessKeyId !== credentials.accessKeyId) {
    return `unknown access key id ${JSON.stringify(accessKeyId ?? '')}`;
  }
  if (!date || !region || scopedService !== service || terminator !== 'aws4_request') {
    return `malformed credential scope ${JSON.stringify(parts.credential)}`;
  }
  const canonicalQuery = query
    .filter(([name]) => !(presigned && name === 'X-Amz-Signature'))
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const signedHeaders = parts.signedHeaders.split(';');
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headerValue(request, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method ?? 'GET',
    path,
    canonicalQuery,
    canonicalHeaders,
    parts.signedHeaders,
    parts.payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, parts.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(createHmac('sha256', key).update(stringToSign).digest('hex'));
  const provided = Buffer.from(parts.signature);
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) {
    return 'the request signature does not match: sign it with the secret key the server was started with';
  }
  return undefined;
}

interface SignatureParts {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string;
  readonly payloadHash: string;
}

function headerParts(request: IncomingMessage, authorization: string): SignatureParts | string {
  const match = HEADER_AUTH.exec(authorization.trim());
  if (!match) {
    return authorization.startsWith(ALGORITHM)
      ? 'malformed Authorization header'
      : `only ${ALGORITHM} (Signature Version 4) is accepted`;
  }
  const amzDate = headerValue(request, 'x-amz-date');
  if (amzDate === undefined) return 'the x-amz-date header is missing';
  return {
    credential: match[1] ?? '',
    signedHeaders: match[2] ?? '',
    signature: match[3] ?? '',
    amzDate,
    payloadHash: headerValue(request, 'x-amz-content-sha256') ?? sha256Hex(''),
  };
}

function queryParts(
  query: readonly (readonly [string, string])[],
  now: number,
): SignatureParts | string {
  const get = (name: string) =>
    query.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  if (get('X-Amz-Algorithm') !== ALGORITHM) return `only ${ALGORITHM} presigned URLs are accepted`;
  const credential = get('X-Amz-Credential');
  const amzDate = get('X-Amz-Date');
  const signedHeaders = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  const expires = Number(get('X-Amz-Expires'));
  if (
    !credential ||
    !amzDate ||
    !signedHeaders ||
    !signature ||
    !/^[0-9a-f]{64}$/.test(signature)
  ) {
    return 'the presigned URL lacks X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders or X-Amz-Signature';
  }
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
    return `X-Amz-Expires must be 1 to ${MAX_PRESIGNED_SECONDS} seconds`;
  }
  if (!Number.isFinite(signedAt) || now > signedAt + expires * 1000) {
    return 'the presigned URL has expired';
  }
  return {
    credential,
    signedHeaders,
    signature,
    amzDate,
    payloadHash: get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  };
}

/** The decoded (name, value) pairs of a raw query string, or undefined when it is not decodable. */
function parseQuery(raw: string): [string, string][] | undefined {
  if (raw === '') return [];
  try {
    return raw.split('&').map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
  } catch {
    return undefined;
  }
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const values = request.headersDistinct[name];
  return values === undefined ? undefined : values.join(',');
}

/** Percent-encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~, upper-case hex. */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Code-unit order of the encoded strings (pure ASCII), as SigV4 sorts them. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
