import {
  DEFAULT_LIFECYCLE_CONFIG,
  handleInviteeEvent,
  type LifecycleDeps,
} from '../../src/lifecycle';
import { silentLogger } from '../../src/log';
import { MemoryBookingStore } from '../../src/store/memory';
import { ZoomDeadlineError } from '../../src/zoom/errors';
import { created } from '../support/invitee-events';
import {
  api,
  fixture,
  issueTokens,
  rejectionOf,
  TOKEN_BODY,
  tokenEndpoint,
  useNock,
  zoomHarness,
} from './zoom/zoom-test-kit';

/**
 * The lifecycle over the real Zoom client: a create may only be sent while the booking's lease
 * still holds, so that a worker which stalled past its lease (a frozen process, a clock jump in
 * the chaos run's fleet) cannot land a meeting after another worker has taken the booking over
 * and searched for its marker: that meeting would be a ghost nobody records.
 */
useNock();

const created201 = fixture('create-meeting.response').body as object;
const expired401 = fixture('access-token-invalid.401').body as object;
const MEETINGS = `/v2/users/${encodeURIComponent('host@example.com')}/meetings`;

function setup() {
  // The client's own deadline outlasts the lease: only the lease the lifecycle passes can stop a
  // create here, so these tests fail if that wiring goes.
  const zoomKit = zoomHarness({ deadlineMs: 2 * DEFAULT_LIFECYCLE_CONFIG.leaseMs });
  const store = new MemoryBookingStore();
  const deps: LifecycleDeps = {
    store,
    zoom: zoomKit.client,
    now: zoomKit.clock.now,
    log: silentLogger,
    config: DEFAULT_LIFECYCLE_CONFIG,
  };
  return { ...zoomKit, store, handle: () => handleInviteeEvent(created(), deps) };
}

/** The token request answers only after the booking's lease has run out. */
function leaseRunsOutDuringTokenFetch(h: ReturnType<typeof setup>): void {
  tokenEndpoint().reply(() => {
    h.clock.advance(DEFAULT_LIFECYCLE_CONFIG.leaseMs);
    return [200, TOKEN_BODY];
  });
}

describe('a create under a lease that has run out', () => {
  it('is not sent when the lease runs out while the access token is being fetched', async () => {
    const h = setup();
    leaseRunsOutDuringTokenFetch(h);
    let posts = 0;
    api()
      .post(MEETINGS)
      .reply(() => {
        posts += 1;
        return [201, created201];
      });

    const error = await rejectionOf(h.handle());

    expect(error).toBeInstanceOf(ZoomDeadlineError);
    expect(posts).toBe(0);
  });

  it('is not sent again after a 401 that came back once the lease had run out', async () => {
    const h = setup();
    issueTokens(2);
    let posts = 0;
    api()
      .post(MEETINGS)
      .times(2)
      .reply(() => {
        posts += 1;
        h.clock.advance(DEFAULT_LIFECYCLE_CONFIG.leaseMs);
        return [401, expired401];
      });

    await expect(h.handle()).rejects.toBeInstanceOf(ZoomDeadlineError);

    expect(posts).toBe(1);
  });

  it('leaves the booking free and known to have no meeting, so the redelivery creates at once', async () => {
    const h = setup();
    leaseRunsOutDuringTokenFetch(h);
    await expect(h.handle()).rejects.toBeInstanceOf(ZoomDeadlineError);
    let searches = 0;
    api()
      .get(MEETINGS)
      .query(true)
      .reply(() => {
        searches += 1;
        return [200, { meetings: [], next_page_token: '' }];
      });
    api().post(MEETINGS).reply(201, created201);

    const out = await h.handle();

    expect(out.outcome).toBe('created');
    expect(searches).toBe(0);
  });

  it('ends 5 s before the lease does, leaving time to record how it ended', async () => {
    const h = setup();
    issueTokens(1);
    api().post(MEETINGS).reply(201, created201);
    const claimedAt = h.clock.now();
    const send = h.client.createMeeting.bind(h.client);
    const deadlines: (number | undefined)[] = [];
    h.client.createMeeting = (host, params, options) => {
      deadlines.push(options?.deadlineAt);
      return send(host, params, options);
    };

    await h.handle();

    expect(deadlines).toEqual([claimedAt + DEFAULT_LIFECYCLE_CONFIG.leaseMs - 5_000]);
  });
});
