import type { HttpClient } from '../../../src/http';
import { createZoomTokenProvider } from '../../../src/zoom/token';
import { createMemoryTokenCache, type TokenCache } from '../../../src/zoom/token-cache';

// Found by the chaos suite (about one CI-sized run in 15): a refresh after a 401 joined a flight
// that had read the cache before invalidate(), got the dead token back, and the client's one
// permitted refresh failed as if the credentials were wrong.
describe('token refresh racing an earlier cache read', () => {
  function setup() {
    let fetches = 0;
    const http: HttpClient = async () => {
      fetches++;
      return {
        status: 200,
        headers: {},
        body: JSON.stringify({
          access_token: `T${fetches}`,
          expires_in: 3599,
          token_type: 'bearer',
          scope: 's',
        }),
      };
    };
    const inner = createMemoryTokenCache();
    let gate: Promise<void> | null = null;
    const cache: TokenCache = {
      async get(key) {
        // A slow read: it sees the cache as it is now, and answers when its gate opens.
        const held = gate;
        const value = await inner.get(key);
        if (held) await held;
        return value;
      },
      set: (key, value, ttl) => inner.set(key, value, ttl),
      delete: (key) => inner.delete(key),
    };
    const tokens = createZoomTokenProvider({
      credentials: { accountId: 'a', clientId: 'c', clientSecret: 's' },
      http,
      cache,
    });
    return {
      tokens,
      fetches: () => fetches,
      /** Reads started from now on are held until the returned function is called. */
      holdReads() {
        let open!: () => void;
        gate = new Promise<void>((resolve) => (open = resolve));
        const release = open;
        gate = gate.then(() => undefined);
        const held = gate;
        return {
          stopHolding: () => {
            gate = null;
          },
          release: () => {
            release();
            return held;
          },
        };
      },
    };
  }

  it('never hands back the token it was just told Zoom rejected', async () => {
    const h = setup();
    expect((await h.tokens.getToken()).accessToken).toBe('T1');
    const hold = h.holdReads();
    const earlier = h.tokens.getToken(); // reads T1 from the cache, slowly
    hold.stopHolding();
    await h.tokens.invalidate('T1'); // Zoom said 401 to T1 meanwhile
    const refreshed = h.tokens.getToken(); // joins the slow flight
    await hold.release();

    expect((await refreshed).accessToken).toBe('T2');
    await earlier;
    expect(h.fetches()).toBe(2);
  });
});
