import {
  api,
  fixture,
  HOST,
  issueTokens,
  useNock,
  zoomHarness,
  type Exchange,
} from './zoom-test-kit';

useNock();

const MARKER = '[calendly:https://api.calendly.com/scheduled_events/ev-1]';
const full = fixture<Exchange & { body: Record<string, unknown> }>('get-meeting.response').body;
const listPath = `/v2/users/${encodeURIComponent(HOST)}/meetings`;
const firstPage = { type: 'upcoming', page_size: '300' };

/** A list item as Zoom's "list meetings" returns it: no start_url, no password. */
function item(id: number, agenda?: string) {
  return {
    uuid: `uuid-${id}`,
    id,
    host_id: 'KDcuGIm1QgePTO8WbOqwIQ',
    topic: 'Intro call',
    type: 2,
    start_time: '2026-12-03T15:00:00Z',
    duration: 30,
    timezone: 'UTC',
    created_at: '2026-11-26T20:41:07Z',
    join_url: `https://us05web.zoom.us/j/${id}`,
    ...(agenda === undefined ? {} : { agenda }),
  };
}

function page(meetings: object[], nextPageToken = '') {
  return {
    page_size: 300,
    total_records: meetings.length,
    next_page_token: nextPageToken,
    meetings,
  };
}

beforeEach(() => {
  issueTokens(1);
});

describe('findMeetingByMarker', () => {
  it('returns the full record of the upcoming meeting whose agenda holds the marker', async () => {
    const scope = api()
      .get(listPath)
      .query(firstPage)
      .reply(200, page([item(11111111111, 'Other booking'), item(85746065432, `Booked ${MARKER}`)]))
      .get('/v2/meetings/85746065432')
      .reply(200, { ...full, agenda: `Booked ${MARKER}` });

    const found = await zoomHarness().client.findMeetingByMarker(HOST, MARKER);

    expect(found).toMatchObject({
      id: '85746065432',
      startUrl: expect.any(String),
      password: 'k7Pq2x',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('returns null when no meeting carries the marker, without fetching any meeting', async () => {
    const scope = api()
      .get(listPath)
      .query(firstPage)
      .reply(200, page([item(11111111111, 'Other booking')]));

    await expect(zoomHarness().client.findMeetingByMarker(HOST, MARKER)).resolves.toBeNull();
    expect(scope.isDone()).toBe(true);
  });

  it('looks through every page', async () => {
    const scope = api()
      .get(listPath)
      .query(firstPage)
      .reply(200, page([item(11111111111, 'Other booking')], 'next-1'))
      .get(listPath)
      .query({ ...firstPage, next_page_token: 'next-1' })
      .reply(200, page([item(85746065432, MARKER)]))
      .get('/v2/meetings/85746065432')
      .reply(200, { ...full, agenda: MARKER });

    const found = await zoomHarness().client.findMeetingByMarker(HOST, MARKER);

    expect(found?.id).toBe('85746065432');
    expect(scope.isDone()).toBe(true);
  });

  it('fetches a list item that has no agenda field to read its agenda', async () => {
    const scope = api()
      .get(listPath)
      .query(firstPage)
      .reply(200, page([item(85746065432)]))
      .get('/v2/meetings/85746065432')
      .reply(200, { ...full, agenda: `Booked ${MARKER}` });

    const found = await zoomHarness().client.findMeetingByMarker(HOST, MARKER);

    expect(found?.agenda).toContain(MARKER);
    expect(scope.isDone()).toBe(true);
  });

  it('skips a matching meeting that was deleted between the list and the fetch', async () => {
    const scope = api()
      .get(listPath)
      .query(firstPage)
      .reply(200, page([item(85746065432, MARKER)]))
      .get('/v2/meetings/85746065432')
      .reply(404, { code: 3001, message: 'Meeting does not exist: 85746065432.' });

    await expect(zoomHarness().client.findMeetingByMarker(HOST, MARKER)).resolves.toBeNull();
    expect(scope.isDone()).toBe(true);
  });
});
