// A Zoom that always says yes, in memory, for counting a scenario's operations per path without a
// network: tokens, meeting create (201), update (204), delete (204) and the upcoming list, which
// holds the meetings created and not deleted (so a search by marker finds them).

import type { HttpClient, HttpResponse } from '../http';

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

interface ScriptedMeeting {
  id: number;
  join_url: string;
  agenda: string;
}

export function scriptedZoom(): HttpClient {
  let nextId = 81_000_000_000;
  const meetings = new Map<string, ScriptedMeeting>();
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.endsWith('/oauth/token')) {
      return json(200, { access_token: 'scripted-token', token_type: 'bearer', expires_in: 3599 });
    }
    if (/\/users\/[^/]+\/meetings$/.test(pathname)) {
      if (request.method === 'GET') return json(200, { meetings: [...meetings.values()] });
      if (request.method === 'POST') {
        const id = nextId++;
        const { agenda } = JSON.parse(request.body ?? '{}') as { agenda?: string };
        const meeting = { id, join_url: `https://zoom.example/j/${id}`, agenda: agenda ?? '' };
        meetings.set(String(id), meeting);
        return json(201, meeting);
      }
    }
    if (request.method === 'PATCH' || request.method === 'DELETE') {
      if (request.method === 'DELETE') meetings.delete(pathname.split('/').pop() ?? '');
      return { status: 204, headers: {}, body: '' };
    }
    return json(404, { code: 404, message: `Not scripted: ${request.method} ${pathname}` });
  };
}
