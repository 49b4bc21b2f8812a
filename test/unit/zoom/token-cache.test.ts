import { createMemoryTokenCache } from '../../../src/zoom/token-cache';
import { fakeClock } from './zoom-test-kit';

const token = (name: string) => ({
  accessToken: name,
  expiresAt: Date.parse('2030-01-01T00:00:00Z'),
});

describe('createMemoryTokenCache', () => {
  it('returns a stored token until its ttl has passed, then nothing', async () => {
    const clock = fakeClock();
    const cache = createMemoryTokenCache({ now: clock.now });
    await cache.set('k', token('a'), 1000);

    clock.advance(999);
    await expect(cache.get('k')).resolves.toEqual(token('a'));
    clock.advance(1);
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('evicts the oldest entry once maxEntries is exceeded', async () => {
    const cache = createMemoryTokenCache({ maxEntries: 2 });
    await cache.set('first', token('1'), 60_000);
    await cache.set('second', token('2'), 60_000);
    await cache.set('third', token('3'), 60_000);

    await expect(cache.get('first')).resolves.toBeUndefined();
    await expect(cache.get('second')).resolves.toEqual(token('2'));
    await expect(cache.get('third')).resolves.toEqual(token('3'));
  });

  it('counts a re-set key as the newest', async () => {
    const cache = createMemoryTokenCache({ maxEntries: 2 });
    await cache.set('first', token('1'), 60_000);
    await cache.set('second', token('2'), 60_000);
    await cache.set('first', token('1b'), 60_000);
    await cache.set('third', token('3'), 60_000);

    await expect(cache.get('first')).resolves.toEqual(token('1b'));
    await expect(cache.get('second')).resolves.toBeUndefined();
  });

  it('deletes a key', async () => {
    const cache = createMemoryTokenCache();
    await cache.set('k', token('a'), 60_000);
    await cache.delete('k');
    await expect(cache.get('k')).resolves.toBeUndefined();
  });
});
