import type { HostFacts } from '../../src/model/host.js';

/** A fixed Mac for pure tests: alice, uid 501, Homebrew on Apple silicon. */
export function testHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    home: '/Users/alice',
    uid: 501,
    gid: 20,
    acting: 'user',
    specPath: '/Users/alice/lotus/lotus.yaml',
    programs: { lotus: '/opt/homebrew/bin/lotus', 'lotus-miner': '/opt/homebrew/bin/lotus-miner', 'lotus-worker': null },
    secrets: { '/Users/alice/lotus/secrets/fullnode-api-info': 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.secret:/ip4/127.0.0.1/tcp/1234/http' },
    systemDaemonsDir: '/Library/LaunchDaemons',
    lotusctlCommand: ['/opt/homebrew/bin/node', '/opt/homebrew/lib/node_modules/lotusctl/dist/src/cli/main.js'],
    ...overrides,
  };
}
