import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // As root, integration tests run lotusctl as an unprivileged operator uid: make sure it can reach the checkout.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests spawn real processes (fake launchctl, fake lotus); a loaded 2-core CI box needs headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
