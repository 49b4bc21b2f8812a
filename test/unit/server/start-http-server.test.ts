import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import nock from 'nock';
import { createJsonLogger, silentLogger } from '../../../src/log';
import { ListenError } from '../../../src/server/errors';
import {
  startHttpServer,
  type ConnectionLimits,
  type RunningHttpServer,
} from '../../../src/server/start-http-server';
import { send } from '../../support/http-request';

// Real sockets throughout: nock must not wrap them.
beforeAll(() => nock.restore());

/** A handler that answers each request only when the test says so. */
function heldHandler() {
  const waiting: { req: IncomingMessage; res: ServerResponse }[] = [];
  const arrivals: (() => void)[] = [];
  return {
    handle(req: IncomingMessage, res: ServerResponse) {
      waiting.push({ req, res });
      arrivals.shift()?.();
    },
    nextArrival: () => new Promise<void>((resolve) => arrivals.push(resolve)),
    answerAll(text: string) {
      for (const { res } of waiting.splice(0)) res.end(text);
    },
    count: () => waiting.length,
  };
}

describe('startHttpServer', () => {
  let server: RunningHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports where it listens, with the port picked for 0', async () => {
    server = await startHttpServer((_req, res) => res.end('ok'), {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
    });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await send(server.url, { path: '/' })).text).toBe('ok');
  });

  it('finishes a request in flight after close() began, and refuses new connections', async () => {
    const handler = heldHandler();
    server = await startHttpServer(handler.handle, {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
    });
    const arrived = handler.nextArrival();
    const inFlight = send(server.url, { path: '/slow' });
    await arrived;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await expect(send(server.url, { path: '/late' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(closed).toBe(false);

    handler.answerAll('done');
    const res = await inFlight;
    expect(res.text).toBe('done');
    expect(res.headers.connection).toBe('close');
    await closing;
    expect(closed).toBe(true);
  });

  it('cuts the connections still open when told to (the end of the grace period)', async () => {
    const handler = heldHandler();
    server = await startHttpServer(handler.handle, {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
    });
    const arrived = handler.nextArrival();
    const inFlight = send(server.url, { path: '/stuck' });
    await arrived;
    const closing = server.close();
    server.closeAllConnections();
    await closing;
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('closes an idle keep-alive connection at once when closing', async () => {
    server = await startHttpServer((_req, res) => res.end('ok'), {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
    });
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        request(new URL('/', server!.url), { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
      const [socket] = Object.values(agent.freeSockets).flat();
      expect(socket).toBeDefined();
      const gone = closedAt(socket as Socket);
      const started = Date.now();
      await server.close();
      expect(await gone).toBeLessThan(started + 1000);
    } finally {
      agent.destroy();
    }
  });

  it('closes a connection still sending its headers at once when closing', async () => {
    server = await startHttpServer(() => undefined, {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
    });
    const slow = await rawConnection(server.url, 'POST /webhooks/calendly HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    await server.close();
    expect(await slow.closed).toBeLessThan(started + 1000);
  });

  it('fails with ListenError when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(
        startHttpServer(() => undefined, { port, host: '127.0.0.1', log: silentLogger }),
      ).rejects.toThrow(ListenError);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('startHttpServer: limits', () => {
  let server: RunningHttpServer | undefined;
  let logs: Record<string, unknown>[];
  const opened: Socket[] = [];
  afterEach(async () => {
    for (const socket of opened.splice(0)) socket.destroy();
    server?.closeAllConnections();
    await server?.close();
    server = undefined;
  });

  async function start(
    limits: Partial<ConnectionLimits>,
    handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok'),
  ): Promise<RunningHttpServer> {
    logs = [];
    const log = createJsonLogger((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
    server = await startHttpServer(handler, { port: 0, host: '127.0.0.1', log, limits });
    return server;
  }
  const refusalLines = () =>
    logs.filter((l) => l.message === 'the receiver is refusing work to stay within its limits');
  const raw = async (url: string, head: string) => {
    const c = await rawConnection(url, head);
    opened.push(c.socket);
    return c;
  };

  it('at the connection cap, closes the connection idle longest so a whole request gets in', async () => {
    const { url } = await start({ maxConnections: 3 });
    const slow = [];
    for (let i = 0; i < 3; i++) slow.push(await raw(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n'));
    const res = await send(url, { path: '/healthz' });
    expect(res.text).toBe('ok');
    // The first one to connect made room; the others still wait for their headers.
    await slow[0]!.closed;
    expect(slow[1]!.socket.destroyed).toBe(false);
    expect(refusalLines()).toEqual([
      expect.objectContaining({ level: 'warn', connectionsEvicted: 1 }),
    ]);
  });

  it('at the cap with every connection in the handler, refuses the new one', async () => {
    const handler = heldHandler();
    const { url } = await start({ maxConnections: 2 }, handler.handle);
    const held = [send(url, { path: '/a' }), send(url, { path: '/b' })];
    await until(() => handler.count() === 2);
    await expect(send(url, { path: '/c' })).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|EPIPE/),
    });
    expect(refusalLines()).toEqual([expect.objectContaining({ connectionsRefused: 1 })]);
    handler.answerAll('done');
    expect((await Promise.all(held)).map((r) => r.text)).toEqual(['done', 'done']);
  });

  it('answers 408 and closes a connection whose headers do not arrive in time', async () => {
    const { url } = await start({ headersTimeoutMs: 300, checkIntervalMs: 50 });
    const started = Date.now();
    const slow = await raw(url, 'POST /webhooks/calendly HTTP/1.1\r\nHost: x\r\n');
    const closedAt = await slow.closed;
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAt - started).toBeLessThan(2000);
    expect(refusalLines()).toEqual([expect.objectContaining({ requestsTimedOut: 1 })]);
  });

  it('answers 400 to a request that is not HTTP, counted in the refusal line', async () => {
    const { url } = await start({});
    const bad = await raw(url, 'NOT HTTP AT ALL\r\n\r\n');
    await bad.closed;
    expect(bad.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(refusalLines()).toEqual([expect.objectContaining({ badRequests: 1 })]);
  });
});

/** Resolves with the time the socket closed. */
function closedAt(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve(Date.now());
    else socket.once('close', () => resolve(Date.now()));
  });
}

/** A raw TCP connection that sends `head` (a partial request, say) and then waits. */
async function rawConnection(
  url: string,
  head: string,
): Promise<{ socket: Socket; closed: Promise<number>; received(): string }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = closedAt(socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await new Promise<void>((resolve) => socket.write(head, () => resolve()));
  return { socket, closed, received: () => text };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
