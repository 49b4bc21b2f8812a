// A Zoom that always says yes, in memory, for counting a scenario's operations per path without a
// network: tokens, meeting create (201), update (204), delete (204) and an empty upcoming list.

import type { HttpClient, HttpResponse } from '../http';

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export function scriptedZoom(): HttpClient {
  let nextId = 81_000_000_000;
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.endsWith('/oauth/token')) {
      return json(200, { access_token: 'scripted-token', token_type: 'bearer', expires_in: 3599 });
    }
    if (request.method === 'POST' && /\/users\/[^/]+\/meetings$/.test(pathname)) {
      const id = nextId++;
      return json(201, { id, join_url: `https://zoom.example/j/${id}` });
    }
    if (request.method === 'GET' && /\/users\/[^/]+\/meetings$/.test(pathname)) {
      return json(200, { meetings: [] });
    }
    if (request.method === 'PATCH' || request.method === 'DELETE') {
      return { status: 204, headers: {}, body: '' };
    }
    return json(404, { code: 404, message: `Not scripted: ${request.method} ${pathname}` });
  };
}
