import type { IncomingMessage, ServerResponse } from 'node:http';

/** `Sec-Fetch-Site` values a browser sends for requests a page made (anything but a typed URL). */
const PAGE_INITIATED = new Set(['cross-site', 'same-site', 'same-origin']);

/**
 * Why a request to a local server (S3 or SQS) must be refused, or undefined
 * when it may pass: a request for another Host (DNS rebinding: a foreign
 * name resolving to 127.0.0.1), or a request a browser page made, which
 * carries an `Origin` (every cross-origin request, form POSTs included) or
 * a page-initiated `Sec-Fetch-Site`. AWS SDKs and CLIs send neither, so no
 * legitimate client is refused; and as no browser request passes, a form
 * POST cannot create an object or send a message.
 *
 * @example
 * ```ts
 * const reason = refusalOf(request, 4569); // 'browser requests are refused (Origin https://evil.example)'
 * ```
 */
export function refusalOf(request: IncomingMessage, port: number): string | undefined {
  const host = request.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return `this server answers only 127.0.0.1:${port} (Host ${JSON.stringify(host ?? '')})`;
  }
  const origin = request.headers.origin;
  if (origin !== undefined) return `browser requests are refused (Origin ${origin})`;
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && PAGE_INITIATED.has(site)) {
    return `browser requests are refused (Sec-Fetch-Site ${site})`;
  }
  return undefined;
}

/**
 * Answers 403 in the error format of the API the server speaks (S3's and
 * SQS's query protocol both use XML) and drains the request body.
 *
 * @example
 * ```ts
 * refuse(response, 'AccessDenied', 'browser requests are refused');
 * ```
 */
export function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  code: string,
  message: string,
): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
  // Read the body to its end so the client is not cut off mid-upload (and gets the answer).
  request.resume();
  response.writeHead(403, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
