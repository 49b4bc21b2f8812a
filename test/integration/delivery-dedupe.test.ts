import {
  CALENDLY_RETRY_WINDOW_SECONDS,
  createDeliveryDedupe,
  DEFAULT_DEDUPE_TTL_SECONDS,
} from '../../src/delivery-dedupe';
import { ConfigError } from '../../src/errors';
import { StoreError } from '../../src/store/errors';
import { createUpstashRedis } from '../../src/upstash-client';
import { deleteKeysByPrefix, rawRedis, uniquePrefix } from '../support/redis-test-env';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';

const INVITEE = 'https://api.calendly.com/scheduled_events/ev-1/invitees/inv-1';
const created = { scope: 'sub-1', inviteeUri: INVITEE, kind: 'invitee.created' } as const;

describe('the delivery dedupe on Upstash', () => {
  let bridge: UpstashBridge;
  let prefix: string;
  const raw = rawRedis();

  beforeAll(async () => {
    bridge = await startUpstashBridge();
  });
  beforeEach(() => {
    prefix = uniquePrefix('dedupe');
  });
  afterEach(async () => {
    bridge.setDown(false);
    await deleteKeysByPrefix(raw, prefix);
  });
  afterAll(async () => {
    await bridge.close();
    await raw.quit();
  });

  const dedupe = () =>
    createDeliveryDedupe({
      redis: createUpstashRedis({ url: bridge.url, token: bridge.token }),
      prefix,
    });

  it('passes a delivery the first time and recognises every repeat', async () => {
    const seen = dedupe();

    expect(await seen.claimFirst(created)).toBe(true);
    expect(await seen.claimFirst(created)).toBe(false);
    expect(await seen.claimFirst(created)).toBe(false);
  });

  it.each([
    ['another kind of event', { ...created, kind: 'invitee.canceled' as const }],
    ['another invitee', { ...created, inviteeUri: `${INVITEE}-2` }],
    ['another consumer (a second Zap)', { ...created, scope: 'sub-2' }],
  ])('treats %s as a new delivery', async (_case, other) => {
    const seen = dedupe();
    await seen.claimFirst(created);

    expect(await seen.claimFirst(other)).toBe(true);
  });

  it('lets exactly one of many simultaneous copies through', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => dedupe().claimFirst(created)),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("remembers a delivery for longer than Calendly's 24 h retry window", async () => {
    await dedupe().claimFirst(created);

    const [key] = await raw.keys(`${prefix}*`);
    const ttl = await raw.ttl(key ?? '');
    expect(ttl).toBeGreaterThan(CALENDLY_RETRY_WINDOW_SECONDS);
    expect(ttl).toBeLessThanOrEqual(DEFAULT_DEDUPE_TTL_SECONDS);
  });

  it('refuses a memory shorter than the retry window', () => {
    expect(() =>
      createDeliveryDedupe({
        redis: createUpstashRedis({ url: bridge.url, token: bridge.token }),
        ttlSeconds: CALENDLY_RETRY_WINDOW_SECONDS,
      }),
    ).toThrow(ConfigError);
  });

  it('says so when Upstash cannot be reached', async () => {
    bridge.setDown(true, 'status');

    await expect(dedupe().claimFirst(created)).rejects.toBeInstanceOf(StoreError);
  });
});
