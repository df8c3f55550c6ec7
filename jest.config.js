/**
 * Jest in ESM mode (middy 6 is ESM-only): run through `npm test`, which sets --experimental-vm-modules.
 * Two projects: `unit` needs nothing running; `stack` talks to the real MariaDB and Kafka, which
 * its global set-up starts when they are not running, and gives every test file throwaway
 * databases, users, topic and consumer group (test/support/throwaway-env.ts).
 */
export const esm = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
};

export default {
  testTimeout: 60000,
  projects: [
    {
      ...esm,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/setup-env.ts'],
    },
    {
      ...esm,
      displayName: 'stack',
      testMatch: ['<rootDir>/test/{integration,e2e,aws,fuzz}/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/setup-env.ts', '<rootDir>/test/support/throwaway-env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/throwaway-teardown.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
