import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A webhook consumer as a user would write one: a real HTTP server on 127.0.0.1 that verifies
 * every request with the `standardwebhooks` package and records it. Reusable by any suite (the
 * chaos run counts deliveries per webhook-id with it).
 */
export interface ConsumerRequest {
  webhookId: string | null;
  /** `webhook-timestamp`, unix seconds. */
  timestamp: number | null;
  receivedAt: number;
  /** What the consumer answered. */
  status: number;
  /** True when the signature, id and timestamp verified. */
  verified: boolean;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface VerifiedDelivery {
  webhookId: string;
  timestamp: number;
  receivedAt: number;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface NotificationConsumer {
  /** POST here; any path is accepted. */
  url: string;
  /** Every request, in arrival order, whatever was answered. */
  requests: ConsumerRequest[];
  /** Verified requests answered 2xx, in arrival order (duplicates included). */
  deliveries: VerifiedDelivery[];
  /** Answer `status` to verified requests from now on (200 again with `recover`). */
  fail(status?: number): void;
  recover(): void;
  /** Resolves once `count` deliveries matching `where` arrived; rejects after `timeoutMs`. */
  waitFor(
    count: number,
    where?: (d: VerifiedDelivery) => boolean,
    timeoutMs?: number,
  ): Promise<VerifiedDelivery[]>;
  close(): Promise<void>;
}

export async function startNotificationConsumer(options: {
  secret: string;
  now?: () => number;
}): Promise<NotificationConsumer> {
  const now = options.now ?? Date.now;
  const webhook = new Webhook(options.secret);
  const requests: ConsumerRequest[] = [];
  const deliveries: VerifiedDelivery[] = [];
  const waiters = new Set<() => void>();
  let failing: number | null = null;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string): string | null => {
        const value = req.headers[name];
        return typeof value === 'string' ? value : null;
      };
      let payload: VerifiedDelivery['payload'] | null = null;
      try {
        payload = webhook.verify(body, {
          'webhook-id': header('webhook-id') ?? '',
          'webhook-timestamp': header('webhook-timestamp') ?? '',
          'webhook-signature': header('webhook-signature') ?? '',
        }) as VerifiedDelivery['payload'];
      } catch {
        payload = null;
      }
      const status = payload === null ? 401 : (failing ?? 200);
      const timestamp = header('webhook-timestamp');
      requests.push({
        webhookId: header('webhook-id'),
        timestamp: timestamp === null ? null : Number(timestamp),
        receivedAt: now(),
        status,
        verified: payload !== null,
        headers: req.headers,
        body,
      });
      if (payload !== null && status < 300) {
        deliveries.push({
          webhookId: header('webhook-id') ?? '',
          timestamp: Number(timestamp),
          receivedAt: now(),
          payload,
        });
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/calendly-zoom`,
    requests,
    deliveries,
    fail(status = 503) {
      failing = status;
    },
    recover() {
      failing = null;
    },
    waitFor(count, where = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = deliveries.filter(where);
          if (found.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `expected ${count} notification(s), got ${deliveries.filter(where).length} in ${timeoutMs} ms ` +
                `(${requests.length} request(s): ${requests.map((r) => r.status).join(',')})`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
