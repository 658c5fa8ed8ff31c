// Jest runs TypeScript as ES modules through ts-jest's ESM preset (node --experimental-vm-modules).
// Two projects: `unit` (pure code, golden files, CLI in-process) and `integration` (real brokers and loopback HTTP).
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};

export default {
  // Integration tests start brokers and wait on real I/O; unit tests finish long before this.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/brokers.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
