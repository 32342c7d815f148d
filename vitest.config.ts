import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // As root, integration tests run lotusctl as an unprivileged operator uid: make sure it can reach the checkout.
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests spawn real processes (fake launchctl, fake lotus); a loaded 2-core CI box needs headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'lotusctl', include: ['test/**/*.test.ts'] } },
      // The launchctl double's own tests once more with its Node client on every call (the suite above takes the
      // fast client whenever it is built): its behaviour must not depend on the client (test/fakes/launchctl/README.md).
      {
        extends: true,
        test: {
          name: 'launchctl double, Node client',
          include: ['test/fakes/launchctl-*.test.ts'],
          exclude: ['test/fakes/launchctl-clients.test.ts'],
          env: { FAKE_LAUNCHD_CLIENT: 'node' },
        },
      },
    ],
  },
});
