import type { Socket } from 'node:net';
import type { RefusalLog } from './refusal-log';

/**
 * The receiver's connections and what each is doing, for the connection cap and for shutdown.
 *
 * Why not Node's `server.maxConnections`: at the cap it closes the *newest* connection, so while a
 * flood of slow-header connections holds every slot, every real delivery (and /healthz) is refused
 * until the flood stops. Here the connection that has waited longest without a request in
 * progress (still sending its headers, or idle between keep-alive requests) makes room instead:
 * a request that arrives whole gets in, and the flood's connections are the ones cut.
 */
export interface ConnectionTracker {
  /** A new connection: admitted, making room when at the cap. */
  admit(socket: Socket): void;
  /** Node handed a complete request on `socket` to the handler. */
  requestStarted(socket: Socket): void;
  /** That request's response is done (finished or abandoned). */
  requestEnded(socket: Socket): void;
  /** Destroys every connection with no request in progress (idle or mid-headers); returns how many. */
  closeIdle(): number;
  /** Whether `socket` has a request in the handler. */
  busy(socket: Socket): boolean;
  readonly size: number;
}

export function createConnectionTracker(
  maxConnections: number,
  refusals: RefusalLog,
): ConnectionTracker {
  // Insertion order is the order connections became idle: the first idle one has waited longest.
  const requests = new Map<Socket, number>();

  const remove = (socket: Socket): void => void requests.delete(socket);
  const longestIdle = (): Socket | null => {
    for (const [socket, count] of requests) if (count === 0) return socket;
    return null;
  };

  return {
    admit(socket) {
      if (requests.size >= maxConnections) {
        const evict = longestIdle();
        if (evict === null) {
          refusals.note('connectionsRefused');
          socket.destroy();
          return;
        }
        refusals.note('connectionsEvicted');
        remove(evict);
        evict.destroy();
      }
      requests.set(socket, 0);
      socket.once('close', () => remove(socket));
    },
    requestStarted(socket) {
      const count = requests.get(socket);
      if (count !== undefined) requests.set(socket, count + 1);
    },
    requestEnded(socket) {
      const count = requests.get(socket);
      if (count === undefined) return;
      if (count > 1) {
        requests.set(socket, count - 1);
        return;
      }
      // To the back of the line: idle from now.
      requests.delete(socket);
      requests.set(socket, 0);
    },
    closeIdle() {
      let closed = 0;
      for (const [socket, count] of requests) {
        if (count > 0) continue;
        remove(socket);
        socket.destroy();
        closed += 1;
      }
      return closed;
    },
    busy: (socket) => (requests.get(socket) ?? 0) > 0,
    get size() {
      return requests.size;
    },
  };
}
