/** Stops the private redis-server the global setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__calendlyZoomTestRedis?.stop();
}
