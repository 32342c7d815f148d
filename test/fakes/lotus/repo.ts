// The lotus repo on disk: path resolution, first-start init, keystore, API secret/token, `api` file (specs/lotus-operations.md §1).
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode, fakePeerId } from './encoding.js';
import { signToken, PERMISSIONS } from './jwt.js';
import { DEFAULT_CONFIG_TOML } from './default-config.js';
import type { Logger } from './log.js';

/** Keystore key names (file name = base32 of the name, no padding). */
export const JWT_KEY = 'auth-jwt-private';
export const HOST_KEY = 'libp2p-host';

/** Repo path from `--repo`/`LOTUS_PATH`, default `~/.lotus`, with a leading `~` expanded from HOME. */
export function resolveRepoPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = flag ?? env.LOTUS_PATH ?? '~/.lotus';
  if (raw !== '~' && !raw.startsWith('~/')) return raw;
  if (!env.HOME) throw new Error('cannot expand user-specific home dir');
  return join(env.HOME, raw.slice(1));
}

/** lotus initialises only when neither `datastore/` nor `keystore/` exists. */
export function repoNeedsInit(repo: string): boolean {
  return !existsSync(join(repo, 'datastore')) && !existsSync(join(repo, 'keystore'));
}

/** First-start init: repo dir 0755, default config.toml (unless present), keystore/ 0700. */
export function initRepo(repo: string, configPath: string): void {
  mkdirSync(repo, { recursive: true });
  chmodSync(repo, 0o755);
  if (!existsSync(configPath)) writeFileSync(configPath, DEFAULT_CONFIG_TOML, { mode: 0o644 });
  mkdirSync(join(repo, 'keystore'), { mode: 0o700 });
  chmodSync(join(repo, 'keystore'), 0o700);
}

/** Uncommented `[API] ListenAddress` from config.toml, if any. */
export function readConfigListenAddress(configPath: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    return undefined;
  }
  let section = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    const head = /^\[([^\]]+)\]$/.exec(t);
    if (head) section = head[1] as string;
    const kv = /^ListenAddress\s*=\s*"([^"]*)"/.exec(t);
    if (section === 'API' && kv) return kv[1];
  }
  return undefined;
}

/** Rejects key files readable by group/others, like lotus's keystore. */
export function checkKeystorePermissions(repo: string): void {
  const dir = join(repo, 'keystore');
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir)) {
    const mode = statSync(join(dir, file)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      const name = base32Decode(file)?.toString('utf8') ?? file;
      throw new Error(`permissions of key: '${name}' are too relaxed, required: 0600, got: 0${mode.toString(8)}`);
    }
  }
}

function keyPath(repo: string, name: string): string {
  return join(repo, 'keystore', base32Encode(Buffer.from(name, 'utf8')));
}

function readKey(repo: string, name: string): Buffer | undefined {
  try {
    const info = JSON.parse(readFileSync(keyPath(repo, name), 'utf8')) as { PrivateKey?: string };
    return info.PrivateKey ? Buffer.from(info.PrivateKey, 'base64') : undefined;
  } catch {
    return undefined;
  }
}

function writeKey(repo: string, name: string, type: string, key: Buffer): void {
  mkdirSync(join(repo, 'keystore'), { recursive: true, mode: 0o700 });
  writeFileSync(keyPath(repo, name), JSON.stringify({ Type: type, PrivateKey: key.toString('base64') }), { mode: 0o600 });
}

/** The API JWT secret; generating it (first start) also writes the admin `token` (0600, no newline). */
export function loadOrCreateSecret(repo: string, log: Logger): Buffer {
  const existing = readKey(repo, JWT_KEY);
  if (existing) return existing;
  log.warn('Generating new API secret');
  const secret = randomBytes(32);
  writeKey(repo, JWT_KEY, 'jwt-hmac-secret', secret);
  writeFileSync(join(repo, 'token'), signToken(secret, PERMISSIONS), { mode: 0o600 });
  return secret;
}

/** The node's peer ID, stable per repo (derived from the libp2p-host key). */
export function loadOrCreatePeerId(repo: string): string {
  let key = readKey(repo, HOST_KEY);
  if (!key) {
    key = randomBytes(64);
    writeKey(repo, HOST_KEY, 'libp2p-host', key);
  }
  return fakePeerId(key);
}

/** Creates the (empty) datastore layout so the next start sees an initialised repo. */
export function ensureDatastore(repo: string): void {
  for (const d of ['datastore/chain', 'datastore/splitstore', 'datastore/metadata', 'journal']) {
    mkdirSync(join(repo, d), { recursive: true, mode: 0o755 });
  }
}

/** Writes `api`: multiaddr text, no trailing newline, 0644. */
export function writeApiFile(repo: string, multiaddr: string): void {
  const p = join(repo, 'api');
  // Written through a rename so a reader polling for the file never sees it empty.
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, multiaddr, { mode: 0o644 });
  chmodSync(tmp, 0o644);
  renameSync(tmp, p);
}

/** Reads `api`; throws lotus's "API not running" error when missing. */
export function readApiFile(repo: string): string {
  const p = join(repo, 'api');
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    throw new Error(`could not get API info for FullNode: could not get api endpoint: No file (${p}): API not running (no endpoint)`);
  }
}

/** Reads `token`, or undefined when absent. */
export function readTokenFile(repo: string): string | undefined {
  try {
    return readFileSync(join(repo, 'token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Deletes a file, ignoring a missing one. */
export function removeFile(path: string): void {
  rmSync(path, { force: true });
}
