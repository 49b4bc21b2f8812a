/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The Redis-backed suites share one server; running files in parallel is fine because
  // every test isolates its keys under a unique prefix.
  testTimeout: 20000,
};
