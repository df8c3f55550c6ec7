/**
 * The fault-injection suite (`npm run test:faults`): test/faults/*.fault.ts, in file-name order,
 * on a stack of its own that its global set-up starts and its teardown stops.
 */
import { esm } from './jest.config.js';

export default {
  ...esm,
  testMatch: ['<rootDir>/test/faults/**/*.fault.ts'],
  setupFiles: ['<rootDir>/test/faults/support/setup-env.ts'],
  globalSetup: '<rootDir>/test/faults/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
  testSequencer: '<rootDir>/test/faults/support/sequencer.js',
  testTimeout: 300000,
};
