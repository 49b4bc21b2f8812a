import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zoomFaults, type ZoomFault, type ZoomRoute } from './zoom-faults';

/**
 * Zoom over real HTTP on 127.0.0.1: the sandbox's Zoom (`calendly-zoom serve --sandbox`), and the
 * one end-to-end and chaos tests talk to through `ZOOM_API_URL` / `ZOOM_OAUTH_URL`. It answers the
 * calls the engine makes as Zoom does: Server-to-Server OAuth tokens, meetings (create, read,
 * update, delete, list upcoming — every meeting not deleted, as it keeps no clock), users, and
 * Zoom's 404 codes (3001 no such meeting, 1001 no such user). Shapes follow test/fixtures/zoom.
 * Tests inject faults per route (zoom-faults.ts): an answer of their choosing, a dropped
 * connection (before or after the operation took effect), a slow answer, a request held until
 * released, latency on every answer; and the account's per-second limit (`qps`) answers Zoom's
 * QPS 429 beyond it.
 *
 *   const zoom = await startZoomSimulator({ users: ['host@example.com'] });
 *   loadConfig({ ...zoom.env(), ... });
 *   zoom.failNext('deleteMeeting', zoomFaults.serverError(503), Infinity);
 *   const held = zoom.hold('createMeeting'); await held.arrived; …; held.release();
 *   zoom.liveMeetings(); zoom.requests; await zoom.close();
 */

export interface ZoomCredentials {
  accountId: string;
  clientId: string;
  clientSecret: string;
}

export interface ZoomSimulatorOptions {
  /** Emails of the account's users; default `['host@example.com']`. */
  users?: readonly string[];
  /** Default: random, so no other test's token cache entry can match. */
  credentials?: Partial<ZoomCredentials>;
  /** Every answer waits this long (benchmarks: "Zoom answers after 20 ms"). Default 0. */
  latencyMs?: number;
  /**
   * The account's per-second limit: API requests (not token requests) beyond this many in any
   * sliding second get Zoom's per-second 429 and do nothing. Default: no limit.
   */
  qps?: number;
  /**
   * Join and start links point at the simulator itself, which answers a join link with a page
   * saying what it is: the sandbox's meetings lead nowhere real. Default: https://zoom.example.
   */
  linksToSelf?: boolean;
}

export interface SimulatedMeeting {
  id: string;
  uuid: string;
  hostId: string;
  hostEmail: string;
  topic: string;
  agenda: string | null;
  startTime: string | null;
  duration: number | null;
  timezone: string | null;
  password: string;
  joinUrl: string;
  /** Carries a `zak=` secret, like Zoom's: tests can check it never leaks. */
  startUrl: string;
  settings: Record<string, unknown>;
  createdAt: string;
}

export interface SimulatedRequest {
  route: ZoomRoute | null;
  method: string;
  /** Without the query string. */
  path: string;
  /** 0 when the connection was dropped instead. */
  status: number;
  /** When it arrived (ms since the epoch) and, once answered, when it was done. */
  at: number;
  doneAt?: number;
  /** The meeting a create made (also when its answer was then dropped). */
  createdMeetingId?: string;
  /** Refused by the account's per-second limit (`qps`), not by an injected fault. */
  qpsLimited?: true;
}

export interface HeldRequest {
  /** Resolves when the held request has arrived (and is waiting). */
  arrived: Promise<void>;
  /** Lets it continue: faults, then the normal answer. */
  release(): void;
}

export interface ZoomSimulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** For ZOOM_API_URL. */
  apiUrl: string;
  /** For ZOOM_OAUTH_URL. */
  oauthUrl: string;
  credentials: ZoomCredentials;
  /** ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_API_URL, ZOOM_OAUTH_URL. */
  env(): Record<string, string>;
  /** Every request, in arrival order. */
  readonly requests: readonly SimulatedRequest[];
  /** Requests of one route. */
  requestsTo(route: ZoomRoute): SimulatedRequest[];
  liveMeetings(): SimulatedMeeting[];
  meeting(id: string): SimulatedMeeting | undefined;
  /** Access tokens issued so far (values, for leak checks). */
  readonly issuedTokens: readonly string[];
  addUser(email: string): void;
  /** The next `times` requests to `route` get `fault` (Infinity: until clearFaults). */
  failNext(route: ZoomRoute, fault: ZoomFault, times?: number): void;
  clearFaults(): void;
  /** Consulted when no queued fault applies (randomised chaos); `request` says which user or meeting. */
  faultPicker: ((route: ZoomRoute, request: SimulatedRequest) => ZoomFault | null) | null;
  /** Holds the next request to `route` until released. */
  hold(route: ZoomRoute): HeldRequest;
  /** Every issued token stops working (Zoom answers 401 code 124): forces a token refresh. */
  revokeTokens(): void;
  setLatency(ms: number): void;
  /** Changes the per-second limit (null: none). */
  setQps(qps: number | null): void;
  /** Resolves once no request is being handled (held and slow ones included). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface User {
  id: string;
  email: string;
}

class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown = undefined,
    readonly headers: Record<string, string> = {},
  ) {}
}

const TOKEN_TTL_SECONDS = 3599;
const MAX_PAGE_SIZE = 300;

export async function startZoomSimulator(
  options: ZoomSimulatorOptions = {},
): Promise<ZoomSimulator> {
  const credentials: ZoomCredentials = {
    accountId: options.credentials?.accountId ?? `acct-${hex(6)}`,
    clientId: options.credentials?.clientId ?? `client-${hex(6)}`,
    clientSecret: options.credentials?.clientSecret ?? `secret-${hex(12)}`,
  };
  const expectedBasic = Buffer.from(
    `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
  );
  const users = new Map<string, User>();
  const meetings = new Map<string, SimulatedMeeting>();
  const requests: SimulatedRequest[] = [];
  const issuedTokens: string[] = [];
  const validTokens = new Set<string>();
  const faults: { route: ZoomRoute; fault: ZoomFault; left: number }[] = [];
  const holds: { route: ZoomRoute; arrived: () => void; released: Promise<void> }[] = [];
  const releases = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let latencyMs = options.latencyMs ?? 0;
  let qps = options.qps ?? null;
  let inFlight = 0;
  const idleWaiters: (() => void)[] = [];
  /** When the API requests of the last second were admitted, oldest first. */
  const admitted: number[] = [];
  let nextMeetingId = 85_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  let closed = false;
  const linkBase = (): string => (options.linksToSelf ? server.url : 'https://zoom.example');

  const addUser = (email: string): void => {
    users.set(email.toLowerCase(), { id: `u${hex(8)}`, email });
  };
  for (const email of options.users ?? ['host@example.com']) addUser(email);

  const findUser = (idOrEmail: string): User | undefined => {
    if (idOrEmail === 'me') return users.values().next().value;
    return (
      users.get(idOrEmail.toLowerCase()) ?? [...users.values()].find((u) => u.id === idOrEmail)
    );
  };

  const takeFault = (route: ZoomRoute, request: SimulatedRequest): ZoomFault | null => {
    const queued = faults.find((f) => f.route === route);
    if (queued) {
      queued.left -= 1;
      if (queued.left <= 0) faults.splice(faults.indexOf(queued), 1);
      return queued.fault;
    }
    return server.faultPicker?.(route, request) ?? null;
  };

  /** A sliding window, not per wall-clock second: no burst of 2 × qps across a boundary. */
  const overQps = (route: ZoomRoute): boolean => {
    if (qps === null || route === 'token') return false;
    const now = performance.now();
    while (admitted.length > 0 && (admitted[0] ?? now) <= now - 1000) admitted.shift();
    if (admitted.length >= qps) return true;
    admitted.push(now);
    return false;
  };

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const isAuthorised = (header: string | undefined): boolean => {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    return token !== undefined && validTokens.has(token);
  };

  /** The operation itself; throws an Answer for every non-2xx. */
  function operate(
    route: ZoomRoute,
    params: string[],
    url: URL,
    req: IncomingMessage,
    body: unknown,
  ): Answer {
    if (route === 'token') return issueToken(url, req);
    if (!isAuthorised(req.headers.authorization)) {
      return new Answer(401, { code: 124, message: 'Invalid access token.' });
    }
    const [param = ''] = params;
    switch (route) {
      case 'createMeeting': {
        const host = findUser(param);
        if (!host) return userNotFound(param);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          return new Answer(400, {
            code: 300,
            message: 'Request Body should be a valid JSON object.',
          });
        }
        const meeting = createMeeting(host, body as Record<string, unknown>);
        return new Answer(201, meetingJson(meeting, true), {
          Location: `${server.apiUrl}/meetings/${meeting.id}`,
        });
      }
      case 'getMeeting': {
        const meeting = meetings.get(param);
        return meeting ? new Answer(200, meetingJson(meeting, true)) : meetingNotFound(param);
      }
      case 'updateMeeting': {
        const meeting = meetings.get(param);
        if (!meeting) return meetingNotFound(param);
        const patch = (body ?? {}) as Record<string, unknown>;
        if (typeof patch.topic === 'string') meeting.topic = patch.topic;
        if (typeof patch.agenda === 'string') meeting.agenda = patch.agenda;
        if (typeof patch.start_time === 'string') meeting.startTime = patch.start_time;
        if (typeof patch.duration === 'number') meeting.duration = patch.duration;
        if (typeof patch.timezone === 'string') meeting.timezone = patch.timezone;
        return new Answer(204);
      }
      case 'deleteMeeting':
        return meetings.delete(param) ? new Answer(204) : meetingNotFound(param);
      case 'listMeetings': {
        const host = findUser(param);
        if (!host) return userNotFound(param);
        const mine = [...meetings.values()].filter((m) => m.hostId === host.id);
        const page = paginate(mine, url);
        return new Answer(200, {
          page_size: page.size,
          total_records: mine.length,
          next_page_token: page.next,
          meetings: page.items.map((m) => meetingJson(m, false)),
        });
      }
      case 'getUser': {
        const user = findUser(param);
        return user ? new Answer(200, userJson(user)) : userNotFound(param);
      }
      case 'listUsers': {
        const all = [...users.values()];
        const page = paginate(all, url);
        return new Answer(200, {
          page_size: page.size,
          total_records: all.length,
          next_page_token: page.next,
          users: page.items.map(userJson),
        });
      }
    }
  }

  function issueToken(url: URL, req: IncomingMessage): Answer {
    if (url.searchParams.get('grant_type') !== 'account_credentials') {
      return new Answer(400, { reason: 'unsupported grant type', error: 'unsupported_grant_type' });
    }
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expectedBasic.length || !timingSafeEqual(given, expectedBasic)) {
      return new Answer(400, {
        reason: 'Invalid client_id or client_secret',
        error: 'invalid_client',
      });
    }
    if (url.searchParams.get('account_id') !== credentials.accountId) {
      return new Answer(400, { reason: 'Invalid account_id', error: 'invalid_request' });
    }
    const token = `fake-zoom-token-${hex(16)}`;
    issuedTokens.push(token);
    validTokens.add(token);
    return new Answer(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: TOKEN_TTL_SECONDS,
      scope: 'meeting:read:meeting:admin meeting:write:meeting:admin user:read:user:admin',
      api_url: server.url,
    });
  }

  function createMeeting(host: User, body: Record<string, unknown>): SimulatedMeeting {
    const id = String(nextMeetingId++);
    const password = hex(3);
    const meeting: SimulatedMeeting = {
      id,
      uuid: randomBytes(16).toString('base64'),
      hostId: host.id,
      hostEmail: host.email,
      topic: typeof body.topic === 'string' ? body.topic : 'Zoom meeting',
      agenda: typeof body.agenda === 'string' ? body.agenda : null,
      startTime: typeof body.start_time === 'string' ? body.start_time : null,
      duration: typeof body.duration === 'number' ? body.duration : null,
      timezone: typeof body.timezone === 'string' ? body.timezone : null,
      password,
      joinUrl: `${linkBase()}/j/${id}?pwd=${password}`,
      startUrl: `${linkBase()}/s/${id}?zak=fake-zak-${hex(12)}`,
      settings:
        typeof body.settings === 'object' && body.settings !== null
          ? (body.settings as Record<string, unknown>)
          : {},
      createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    meetings.set(id, meeting);
    return meeting;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', server.url);
    const method = req.method ?? 'GET';
    const record: SimulatedRequest = {
      route: null,
      method,
      path: url.pathname,
      status: 0,
      at: Date.now(),
    };
    inFlight += 1;
    try {
      await respond(req, res, url, method, record);
    } finally {
      record.doneAt = Date.now();
      inFlight -= 1;
      if (inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
    }
  }

  async function respond(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
    record: SimulatedRequest,
  ): Promise<void> {
    requests.push(record);
    const body = await readJson(req);
    const joined = options.linksToSelf ? joinPage(method, url.pathname, meetings) : null;
    if (joined) {
      record.status = joined.status;
      return send(res, joined);
    }
    const matched = match(method, url.pathname);
    if (matched === null) {
      record.status = 404;
      return send(res, new Answer(404, { code: 404, message: 'Not found.' }));
    }
    const [route, params] = matched;
    record.route = route;

    const held = holds.find((h) => h.route === route);
    if (held) {
      holds.splice(holds.indexOf(held), 1);
      held.arrived();
      await held.released;
    }
    // Zoom's limiter refuses at the door: no latency, no other fault, nothing done.
    const limited = overQps(route);
    if (limited) record.qpsLimited = true;
    if (latencyMs > 0 && !limited) await wait(latencyMs);
    if (closed) return void res.socket?.destroy();

    const fault = limited ? zoomFaults.perSecondLimit() : takeFault(route, record);
    if (fault?.type === 'delay') await wait(fault.ms);
    if (closed) return void res.socket?.destroy();
    if (fault?.type === 'respond') {
      record.status = fault.status;
      return send(res, new Answer(fault.status, fault.body, fault.headers));
    }
    if (fault?.type === 'reset') return void res.socket?.destroy();
    if (fault?.type === 'late_effect') {
      res.socket?.destroy();
      await wait(fault.ms);
      if (closed) return;
    }
    const answer =
      body === INVALID_JSON
        ? new Answer(400, { code: 300, message: 'Request Body should be a valid JSON object.' })
        : operate(route, params, url, req, body);
    if (route === 'createMeeting' && answer.status === 201) {
      record.createdMeetingId = String((answer.body as { id: unknown }).id);
    }
    if (fault?.type === 'reset_after_effect' || fault?.type === 'late_effect') {
      return void res.socket?.destroy();
    }
    record.status = answer.status;
    send(res, answer);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake must fail the test loudly, not look like a Zoom outage.
      process.emitWarning(`fake Zoom server: ${String(error)}`);
      send(res, new Answer(599, { message: `fake Zoom server bug: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const server: ZoomSimulator = {
    url: base,
    apiUrl: `${base}/v2`,
    oauthUrl: `${base}/oauth/token`,
    credentials,
    env: () => ({
      ZOOM_ACCOUNT_ID: credentials.accountId,
      ZOOM_CLIENT_ID: credentials.clientId,
      ZOOM_CLIENT_SECRET: credentials.clientSecret,
      ZOOM_API_URL: server.apiUrl,
      ZOOM_OAUTH_URL: server.oauthUrl,
    }),
    requests,
    requestsTo: (route) => requests.filter((r) => r.route === route),
    liveMeetings: () => [...meetings.values()].map((m) => ({ ...m })),
    meeting: (id) => {
      const found = meetings.get(id);
      return found ? { ...found } : undefined;
    },
    issuedTokens,
    addUser,
    failNext(route, fault, times = 1) {
      faults.push({ route, fault, left: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    faultPicker: null,
    hold(route) {
      let arrived!: () => void;
      let release!: () => void;
      const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      releases.add(release);
      holds.push({ route, arrived, released });
      return { arrived: arrivedPromise, release };
    },
    revokeTokens() {
      validTokens.clear();
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setQps(limit) {
      qps = limit;
      admitted.length = 0;
    },
    idle() {
      return inFlight === 0 ? Promise.resolve() : new Promise((wake) => idleWaiters.push(wake));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Held requests resume and find the server closed: their connections are dropped.
      for (const release of releases) release();
      const done = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await done;
    },
  };
  return server;

  function paginate<T>(all: T[], url: URL): { items: T[]; size: number; next: string } {
    const asked = Number(url.searchParams.get('page_size') ?? 30);
    const size = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : 30;
    const token = url.searchParams.get('next_page_token');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    const items = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    return {
      items,
      size,
      next: more ? Buffer.from(String(offset + size)).toString('base64url') : '',
    };
  }
}

const ROUTES: [method: string, pattern: RegExp, route: ZoomRoute][] = [
  ['POST', /^\/oauth\/token$/, 'token'],
  ['POST', /^\/v2\/users\/([^/]+)\/meetings$/, 'createMeeting'],
  ['GET', /^\/v2\/users\/([^/]+)\/meetings$/, 'listMeetings'],
  ['GET', /^\/v2\/users$/, 'listUsers'],
  ['GET', /^\/v2\/users\/([^/]+)$/, 'getUser'],
  ['GET', /^\/v2\/meetings\/(\d+)$/, 'getMeeting'],
  ['PATCH', /^\/v2\/meetings\/(\d+)$/, 'updateMeeting'],
  ['DELETE', /^\/v2\/meetings\/(\d+)$/, 'deleteMeeting'],
];

function match(method: string, path: string): [ZoomRoute, string[]] | null {
  for (const [m, pattern, route] of ROUTES) {
    const found = m === method ? pattern.exec(path) : null;
    if (found) return [route, found.slice(1).map((p) => decodeURIComponent(p))];
  }
  return null;
}

/** Zoom's JSON: the id is a number (it fits in 2^53); list items carry no start_url or password. */
function meetingJson(m: SimulatedMeeting, full: boolean): Record<string, unknown> {
  return {
    uuid: m.uuid,
    id: Number(m.id),
    host_id: m.hostId,
    ...(full ? { host_email: m.hostEmail } : {}),
    topic: m.topic,
    type: 2,
    start_time: m.startTime,
    duration: m.duration,
    timezone: m.timezone,
    ...(m.agenda === null ? {} : { agenda: m.agenda }),
    created_at: m.createdAt,
    join_url: m.joinUrl,
    ...(full
      ? { start_url: m.startUrl, password: m.password, settings: m.settings, status: 'waiting' }
      : {}),
  };
}

function userJson(u: User): Record<string, unknown> {
  return { id: u.id, email: u.email, type: 2, status: 'active', account_id: 'fake-account' };
}

function meetingNotFound(id: string): Answer {
  return new Answer(404, { code: 3001, message: `Meeting does not exist: ${id}.` });
}

function userNotFound(idOrEmail: string): Answer {
  return new Answer(404, {
    code: 1001,
    message: `User ${idOrEmail} does not exist or does not belong to this account.`,
  });
}

const INVALID_JSON = Symbol('invalid JSON');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** What opening a sandbox meeting's join link shows: that it is one, and which. */
function joinPage(
  method: string,
  path: string,
  meetings: ReadonlyMap<string, SimulatedMeeting>,
): Answer | null {
  const id = method === 'GET' ? /^\/j\/(\d+)$/.exec(path)?.[1] : undefined;
  if (id === undefined) return null;
  const meeting = meetings.get(id);
  const text = meeting
    ? `SANDBOX: this is where Zoom meeting ${id} would open. It was made by the calendly-zoom sandbox's simulated Zoom; no real meeting exists.`
    : `SANDBOX: meeting ${id} does not exist (any more) in the simulated Zoom.`;
  return new Answer(meeting ? 200 : 404, new PlainText(text));
}

/** A body sent as text/plain rather than JSON. */
class PlainText {
  constructor(readonly text: string) {}
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  if (answer.body instanceof PlainText) {
    res.writeHead(answer.status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(answer.body.text);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, answer.headers);
    res.end();
    return;
  }
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'Content-Type': 'application/json;charset=UTF-8',
    ...answer.headers,
  });
  res.end(json);
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
