import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ListenError } from '../../../src/server/errors';
import { startHttpServer, type RunningHttpServer } from '../../../src/server/start-http-server';
import { silentLogger } from '../../../src/log';
import { send } from '../../support/http-request';

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

  it('cuts connections still open when the grace period ends', async () => {
    const handler = heldHandler();
    const graceTimers: (() => void)[] = [];
    server = await startHttpServer(handler.handle, {
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
      startTimer: (_ms, fire) => {
        graceTimers.push(fire);
        return () => undefined;
      },
    });
    const arrived = handler.nextArrival();
    const inFlight = send(server.url, { path: '/stuck' });
    await arrived;
    const closing = server.close();
    graceTimers[0]?.();
    await closing;
    await expect(inFlight).rejects.toMatchObject({ code: 'ECONNRESET' });
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
