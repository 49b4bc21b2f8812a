/** What the token provider keeps between calls. */
export interface CachedToken {
  accessToken: string;
  /** When Zoom stops accepting it, in ms since the epoch. */
  expiresAt: number;
}

/**
 * Where access tokens live between calls: memory in one process, Upstash across a fleet, `z.cache`
 * inside Zapier. Adapters serialise as their store needs; `ttlMs` is a hint the provider does not
 * rely on (it checks `expiresAt` itself), so a store with coarse expiry is fine.
 */
export interface TokenCache {
  get(key: string): Promise<CachedToken | null | undefined>;
  set(key: string, value: CachedToken, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Deletes the entry only while it still holds `accessToken`, in one atomic step: drops a token
   * Zoom rejected without ever removing a newer one another instance stored meanwhile. Caches that
   * cannot compare and delete atomically (`z.cache`) leave it out.
   */
  deleteIf?(key: string, accessToken: string): Promise<void>;
  /**
   * Claims the right to fetch the next token for `ttlMs`: true for one caller across every
   * process sharing the cache, false for the others, who wait for its token. Caches shared by one
   * process only leave it out (the provider's single flight is enough there).
   */
  claimRefresh?(key: string, ttlMs: number): Promise<boolean>;
}

export interface MemoryTokenCacheOptions {
  now?: () => number;
  /** One entry per Zoom app; the bound only matters for a process serving many accounts. */
  maxEntries?: number;
}

/** In-process cache. Oldest entries are evicted first once `maxEntries` is reached. */
export function createMemoryTokenCache(options: MemoryTokenCacheOptions = {}): TokenCache {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100;
  const entries = new Map<string, { value: CachedToken; until: number }>();

  return {
    async get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.until <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async set(key, value, ttlMs) {
      // Re-inserting moves the key to the end of the Map's order, which is what eviction reads.
      entries.delete(key);
      entries.set(key, { value, until: now() + ttlMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    async delete(key) {
      entries.delete(key);
    },
    async deleteIf(key, accessToken) {
      if (entries.get(key)?.value.accessToken === accessToken) entries.delete(key);
    },
  };
}
