import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_RECEIVER_CONFIG } from '../config';
import type { Logger } from '../log';
import { createConnectionTracker } from './connection-tracker';
import { ListenError } from './errors';
import { createRefusalLog, type Refusal, type RefusalLog } from './refusal-log';
import { startRealTimer, type StartTimer } from '../timer';

/** What one receiver process lets the network hold of it. Defaults: DEFAULT_CONNECTION_LIMITS. */
export interface ConnectionLimits {
  /** Open connections at once; keep it below `ulimit -n` (the store and Zoom need descriptors). */
  maxConnections: number;
  /** A connection must finish sending its request headers this soon after it starts them. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /**
   * How often Node looks for connections past the headers timeout: the timeout fires up to this
   * much late (Node's default is 30 s, which let slow-header connections live ~90 s).
   */
  checkIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: DEFAULT_RECEIVER_CONFIG.maxConnections,
  headersTimeoutMs: DEFAULT_RECEIVER_CONFIG.headersTimeoutMs,
  // Node's default; a reverse proxy in front keeps its connections for less.
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/**
 * Node's whole-request limit, as a backstop only: the receiver answers a request whose body is
 * slow after its own 12 s, and that answer closes the connection.
 */
const NODE_REQUEST_TIMEOUT_MS = 60_000;

export interface HttpServerOptions {
  port: number;
  host: string;
  log: Logger;
  limits?: Partial<ConnectionLimits>;
  /** Shared with the receiver, so refused bodies and refused connections share one log line. */
  refusals?: RefusalLog;
  startTimer?: StartTimer;
}

export interface RunningHttpServer {
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  host: string;
  port: number;
  /**
   * Stops accepting and closes every connection with no request in progress at once (idle
   * keep-alive ones, and ones still sending headers); answers still to be written close their
   * connection. Resolves when the last connection is gone. Safe to call twice.
   */
  close(): Promise<void>;
  /** Cuts every connection left, answered or not: the end of a shutdown's grace period. */
  closeAllConnections(): void;
}

export async function startHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: HttpServerOptions,
): Promise<RunningHttpServer> {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const refusals =
    options.refusals ??
    createRefusalLog({ log: options.log, startTimer: options.startTimer ?? startRealTimer });
  const connections = createConnectionTracker(limits.maxConnections, refusals);
  const unanswered = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(NODE_REQUEST_TIMEOUT_MS, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      connections.requestStarted(req.socket);
      unanswered.add(res);
      res.once('close', () => {
        unanswered.delete(res);
        connections.requestEnded(req.socket);
      });
      // A kept-alive connection may bring one more request after shutdown began: answer it, then
      // let the connection go.
      if (closing) res.setHeader('Connection', 'close');
      handler(req, res);
    },
  );
  server.on('connection', (socket: Socket) => connections.admit(socket));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    refuseClient(error, socket, connections.busy(socket), refusals);
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
  // After listening, errors come from accept() (EMFILE when out of descriptors): one line per
  // interval, not one per refused connection.
  server.on('error', () => refusals.note('acceptFailed'));

  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${hostInUrl}:${port}`,
    host: options.host,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
        server.close((error) => (error ? reject(error) : resolve()));
        // Node's close() only closes connections between requests; one still sending its headers
        // would hold the shutdown until the headers timeout.
        connections.closeIdle();
      });
      return closing;
    },
    closeAllConnections: () => server.closeAllConnections(),
  };
}

const CLIENT_ERROR_ANSWERS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

/**
 * Node's own answer to a request it could not parse or that timed out (what it does when nobody
 * listens for 'clientError'), plus a count for the refusal log. A connection whose request is in
 * the handler is only cut: the handler's answer may already be on its way.
 */
function refuseClient(
  error: NodeJS.ErrnoException,
  socket: Socket,
  busy: boolean,
  refusals: RefusalLog,
): void {
  const code = error.code ?? '';
  // The client hung up: nothing was refused, and nobody is left to answer.
  if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const refusal: Refusal = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'requestsTimedOut' : 'badRequests';
  refusals.note(refusal);
  if (!busy) {
    const status = CLIENT_ERROR_ANSWERS[code] ?? '400 Bad Request';
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy();
}
