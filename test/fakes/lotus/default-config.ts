// The config.toml a fresh repo gets: every default commented out except `[Chainstore] EnableSplitstore = true`
// (specs/lotus-operations.md §1). Abridged: the real file documents many more sections the fake does not read.

const option = (name: string, type: string, env: string, value: string, doc?: string): string =>
  `${doc ? `  # ${doc}\n  #\n` : ''}  # type: ${type}\n  # env var: ${env}\n  #${name} = ${value}\n`;

/** Default `config.toml` text written on first start. */
export const DEFAULT_CONFIG_TOML = [
  '[API]',
  option('ListenAddress', 'string', 'LOTUS_API_LISTENADDRESS', '"/ip4/127.0.0.1/tcp/1234/http"', 'Binding address for the Lotus API'),
  option('RemoteListenAddress', 'string', 'LOTUS_API_REMOTELISTENADDRESS', '""'),
  option('Timeout', 'Duration', 'LOTUS_API_TIMEOUT', '"30s"'),
  '',
  '[Backup]',
  option('DisableMetadataLog', 'bool', 'LOTUS_BACKUP_DISABLEMETADATALOG', 'true', 'When set to true disables metadata log (.lotus/kvlog).'),
  '',
  '[Logging]',
  '  [Logging.SubsystemLevels]',
  '    # env var: LOTUS_LOGGING_SUBSYSTEMLEVELS_EXAMPLE-SUBSYSTEM',
  '    #example-subsystem = "INFO"',
  '',
  '[Libp2p]',
  option('ListenAddresses', '[]string', 'LOTUS_LIBP2P_LISTENADDRESSES', '["/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1", "/ip6/::/tcp/0", "/ip6/::/udp/0/quic-v1"]', 'Binding address for the libp2p host - 0 means random port.'),
  option('ConnMgrLow', 'uint', 'LOTUS_LIBP2P_CONNMGRLOW', '150'),
  option('ConnMgrHigh', 'uint', 'LOTUS_LIBP2P_CONNMGRHIGH', '180'),
  '',
  '[Pubsub]',
  option('Bootstrapper', 'bool', 'LOTUS_PUBSUB_BOOTSTRAPPER', 'false'),
  '',
  '[Fees]',
  option('DefaultMaxFee', 'FIL', 'LOTUS_FEES_DEFAULTMAXFEE', '"0.07 FIL"'),
  '',
  // Kept verbatim (no comment lines in between) so `[Chainstore]\n  EnableSplitstore = true` appears literally.
  '[Chainstore]',
  '  EnableSplitstore = true',
  '',
  '  [Chainstore.Splitstore]',
  option('ColdStoreType', 'string', 'LOTUS_CHAINSTORE_SPLITSTORE_COLDSTORETYPE', '"discard"').replace(/^/gm, '  '),
  option('HotStoreType', 'string', 'LOTUS_CHAINSTORE_SPLITSTORE_HOTSTORETYPE', '"badger"').replace(/^/gm, '  '),
  option('HotStoreFullGCFrequency', 'uint64', 'LOTUS_CHAINSTORE_SPLITSTORE_HOTSTOREFULLGCFREQUENCY', '20').replace(/^/gm, '  '),
  '',
  '[ChainIndexer]',
  option('EnableIndexer', 'bool', 'LOTUS_CHAININDEXER_ENABLEINDEXER', 'false'),
  '',
].join('\n');
