// The few multiaddr shapes lotus uses for its API endpoint: /ip4|ip6|dns*/<host>/tcp/<port>[/http|/ws].

/** A parsed API multiaddr; `suffix` is the trailing transport part (`/http`, `/ws` or empty). */
export interface ApiMultiaddr {
  proto: 'ip4' | 'ip6' | 'dns' | 'dns4' | 'dns6';
  host: string;
  port: number;
  suffix: string;
}

/** Parses `/ip4/127.0.0.1/tcp/1234/http`; throws with lotus-like wording on anything else. */
export function parseApiMultiaddr(text: string): ApiMultiaddr {
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d{1,5})(\/https?|\/wss?)?$/.exec(text.trim());
  if (!m) throw new Error(`failed to parse multiaddr "${text}": unsupported by fake lotus`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`failed to parse multiaddr "${text}": invalid port`);
  return { proto: m[1] as ApiMultiaddr['proto'], host: m[2] as string, port, suffix: m[4] ?? '' };
}

/** Formats back to text with a concrete port. */
export function formatApiMultiaddr(ma: ApiMultiaddr, port = ma.port): string {
  return `/${ma.proto}/${ma.host}/tcp/${port}${ma.suffix}`;
}

/** Host as Go prints it in `dial tcp <host>:<port>` / `listen tcp4 <host>:<port>` errors. */
export function goHostPort(ma: ApiMultiaddr, port = ma.port): string {
  return ma.proto === 'ip6' ? `[${ma.host}]:${port}` : `${ma.host}:${port}`;
}

/** Target of a CLI call: base HTTP URL (no path), token if any, and the multiaddr text. */
export interface ApiTarget {
  host: string;
  port: number;
  token: string | undefined;
  addr: string;
}

/** Parses a `FULLNODE_API_INFO` value: `<token>:<multiaddr>`, bare `/multiaddr`, or a URL; the first of a comma list. */
export function parseApiInfo(value: string): ApiTarget {
  const first = (value.split(',')[0] ?? '').trim();
  let token: string | undefined;
  let addr = first;
  if (!first.startsWith('/') && !/^[a-z]+:\/\//.test(first)) {
    const sep = first.indexOf(':');
    if (sep > 0) {
      token = first.slice(0, sep);
      addr = first.slice(sep + 1);
    }
  }
  if (/^[a-z]+:\/\//.test(addr)) {
    const url = new URL(addr);
    const port = Number(url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port, token, addr };
  }
  const ma = parseApiMultiaddr(addr);
  return { host: ma.host, port: ma.port, token, addr };
}
