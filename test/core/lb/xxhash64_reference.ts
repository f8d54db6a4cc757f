/**
 * Reference XXH64 over BigInt (the straightforward transcription of the spec): the oracle the
 * fast 32-bit implementation in src/core/lb/xxhash64.ts is checked against.
 */

const MASK = 0xffffffffffffffffn;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

const encoder = new TextEncoder();

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  acc = (acc + lane * P2) & MASK;
  acc = rotl(acc, 31n);
  return (acc * P1) & MASK;
}

function mergeRound(acc: bigint, val: bigint): bigint {
  acc ^= round(0n, val);
  return (acc * P1 + P4) & MASK;
}

function read64(b: Uint8Array, i: number): bigint {
  const lo = (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
  const hi = (b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function read32(b: Uint8Array, i: number): bigint {
  return BigInt((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
}

/** XXH64 of raw bytes. */
export function xxHash64BytesReference(input: Uint8Array, seed: bigint = 0n): bigint {
  const len = input.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & MASK;
    let v2 = (seed + P2) & MASK;
    let v3 = seed & MASK;
    let v4 = (seed - P1) & MASK;
    const limit = len - 32;
    do {
      v1 = round(v1, read64(input, i));
      v2 = round(v2, read64(input, i + 8));
      v3 = round(v3, read64(input, i + 16));
      v4 = round(v4, read64(input, i + 24));
      i += 32;
    } while (i <= limit);
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = (seed + P5) & MASK;
  }
  h = (h + BigInt(len)) & MASK;
  while (i + 8 <= len) {
    h ^= round(0n, read64(input, i));
    h = (rotl(h, 27n) * P1 + P4) & MASK;
    i += 8;
  }
  if (i + 4 <= len) {
    h ^= (read32(input, i) * P1) & MASK;
    h = (rotl(h, 23n) * P2 + P3) & MASK;
    i += 4;
  }
  while (i < len) {
    h ^= (BigInt(input[i]!) * P5) & MASK;
    h = (rotl(h, 11n) * P1) & MASK;
    i++;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

/** XXH64 of a string's UTF-8 bytes, as Envoy's `HashUtil::xxHash64(absl::string_view, seed = 0)`. */
export function xxHash64Reference(input: string, seed: bigint = 0n): bigint {
  return xxHash64BytesReference(encoder.encode(input), seed);
}
