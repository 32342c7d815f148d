// Text encodings lotus uses for names and IDs: RFC 4648 base32 (keystore file names, CIDs) and base58btc (peer IDs).
import { createHash } from 'node:crypto';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, upper case (lotus keystore file names). */
export function base32Encode(data: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/** Inverse of base32Encode; undefined when the text is not base32. */
export function base32Decode(text: string): Buffer | undefined {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.toUpperCase()) {
    const idx = B32.indexOf(ch);
    if (idx < 0) return undefined;
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** base58btc (bitcoin alphabet). */
export function base58Encode(data: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(data).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of data) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** sha256 of a string, for deterministic fake identifiers. */
export function sha256(text: string | Uint8Array): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A libp2p Ed25519 peer ID look-alike (`12D3KooW` + 44 base58 chars) derived from a seed. */
export function fakePeerId(seed: string | Uint8Array): string {
  return `12D3KooW${base58Encode(sha256(seed)).padEnd(44, '1').slice(0, 44)}`;
}

/** A dag-cbor/blake2b CIDv1 look-alike (`bafy2bzace` + 52 base32 chars) derived from a seed. */
export function fakeCid(seed: string): string {
  return `bafy2bzace${base32Encode(sha256(seed)).toLowerCase().slice(0, 52)}`;
}
