import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { signCalendlyPayload } from '../../src/calendly/signature';

/**
 * Plain node:http requests for receiver tests: no connection pool (nothing left open when a test
 * ends), and full control over what goes on the wire (chunked bodies, lying Content-Length).
 */
export interface OutgoingRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent one by one with chunked transfer encoding, instead of `body`. */
  chunks?: readonly (string | Buffer)[];
}

export interface ReceivedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body; {} when the body is not a JSON object. */
  body: Record<string, unknown>;
}

export function send(baseUrl: string, out: OutgoingRequest): Promise<ReceivedResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(out.path, baseUrl),
      { method: out.method ?? 'GET', headers: out.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body: asObject(text),
          });
        });
      },
    );
    req.on('error', reject);
    if (out.chunks) {
      for (const chunk of out.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(out.body);
    }
  });
}

export interface DeliveryOptions {
  signingKey: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Replaces the computed signature header (or drops it with null). */
  signature?: string | null;
  path?: string;
  headers?: Record<string, string>;
}

/** POSTs a body to the receiver signed as Calendly signs it. */
export function deliver(
  baseUrl: string,
  body: unknown,
  options: DeliveryOptions,
): Promise<ReceivedResponse> {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature =
    options.signature === undefined
      ? signCalendlyPayload(rawBody, options.signingKey, timestamp)
      : options.signature;
  return send(baseUrl, {
    method: 'POST',
    path: options.path ?? '/webhooks/calendly',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'calendly-webhook-signature': signature }),
      ...options.headers,
    },
    body: rawBody,
  });
}

function asObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
