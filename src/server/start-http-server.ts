import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import { ListenError } from './errors';
import { startRealTimer, type StartTimer } from './timer';

export interface HttpServerOptions {
  port: number;
  host: string;
  log: Logger;
  /**
   * How long close() lets requests in flight finish before cutting their connections. Longer
   * than the receiver's request timeout, so that every request gets its answer.
   */
  drainTimeoutMs?: number;
  startTimer?: StartTimer;
}

export interface RunningHttpServer {
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  host: string;
  port: number;
  /** Stops accepting, lets requests in flight finish, then resolves. Safe to call twice. */
  close(): Promise<void>;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;

export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: HttpServerOptions,
): Promise<RunningHttpServer> {
  const startTimer = options.startTimer ?? startRealTimer;
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;

  const server = createServer((req, res) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    // A kept-alive connection may bring one more request after shutdown began: answer it, then
    // let the connection go.
    if (closing) res.setHeader('Connection', 'close');
    handler(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        new ListenError(`Cannot listen on ${options.host}:${options.port}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => {
    options.log.error('HTTP server error', { detail: error.message });
  });

  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${hostInUrl}:${port}`,
    host: options.host,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Answers still to be written close their connection instead of keeping it alive.
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        const cancel = startTimer(options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, () => {
          options.log.warn('requests still in flight at the end of the shutdown grace period', {
            inFlight: inFlight.size,
          });
          server.closeAllConnections();
        });
        // close() stops accepting and waits for every connection; idle ones are closed now.
        server.close((error) => {
          cancel();
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
