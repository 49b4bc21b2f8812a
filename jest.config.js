/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TypeScript first: the root index.js (Zapier's entry, which loads dist/) must not shadow index.ts.
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  // The Redis-backed suites share one server; running files in parallel is fine because
  // every test isolates its keys under a unique prefix.
  testTimeout: 20000,
  // A handle left open by a failed test must not hang CI past its time limit; locally jest's
  // warning shows the leak instead.
  forceExit: process.env.CI === 'true',
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-nock-isolation.ts'],
  // Nothing to set up by hand: the Redis at REDIS_URL (default 127.0.0.1:6379) if it answers, else
  // a private redis-server on a free port for the run.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
