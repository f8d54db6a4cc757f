/**
 * OTLP protobuf encoding of finished spans: an `opentelemetry.proto.collector.trace.v1.
 * ExportTraceServiceRequest` with one ResourceSpans (resource attribute `service.name`) and one
 * ScopeSpans, written by hand (field numbers from opentelemetry-proto trace.proto, common.proto,
 * resource.proto). Two passes: message sizes first, then one buffer written front to back (no
 * nested buffers). Tests decode the output with the official generated definitions.
 */
import type { Span } from './span.js';

// Tags (field << 3 | wire type) used below.
const T_RESOURCE_SPANS = (1 << 3) | 2;
const T_RESOURCE = (1 << 3) | 2;
const T_SCOPE_SPANS = (2 << 3) | 2;
const T_SPANS = (2 << 3) | 2;
const T_ATTRIBUTES_RESOURCE = (1 << 3) | 2;
const T_KV_KEY = (1 << 3) | 2;
const T_KV_VALUE = (2 << 3) | 2;
const T_ANY_STRING = (1 << 3) | 2;
const T_TRACE_ID = (1 << 3) | 2;
const T_SPAN_ID = (2 << 3) | 2;
const T_TRACE_STATE = (3 << 3) | 2;
const T_PARENT_SPAN_ID = (4 << 3) | 2;
const T_NAME = (5 << 3) | 2;
const T_KIND = (6 << 3) | 0;
const T_START = (7 << 3) | 1;
const T_END = (8 << 3) | 1;
const T_ATTRIBUTES = (9 << 3) | 2;
const T_STATUS = (15 << 3) | 2;
const T_STATUS_CODE = (3 << 3) | 0;

const KIND = { SERVER: 2, CLIENT: 3 } as const;
/** Status.code STATUS_CODE_ERROR. */
const STATUS_ERROR = 2;

function varintLen(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** UTF-8 length; an ASCII string (nearly every tag) is measured without leaving JavaScript. */
function utf8Len(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Size of a length-delimited field with a `len`-byte payload (one-byte tag). */
function fieldLen(len: number): number {
  return 1 + varintLen(len) + len;
}

function kvLen(key: string, value: string): number {
  return fieldLen(utf8Len(key)) + fieldLen(fieldLen(utf8Len(value)));
}

function spanLen(s: Span): number {
  let n = fieldLen(s.traceId.length / 2) + fieldLen(8);
  if (s.tracestate !== '') n += fieldLen(utf8Len(s.tracestate));
  if (s.parentId !== undefined) n += fieldLen(8);
  n += fieldLen(utf8Len(s.name)) + 2 + 9 + 9;
  const t = s.tags;
  for (let i = 0; i < t.length; i += 2) n += fieldLen(kvLen(t[i]!, t[i + 1]!));
  if (s.tag('error') === 'true') n += fieldLen(2);
  return n;
}

class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(v: number): void {
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  head(tag: number, len: number): void {
    this.buf[this.pos++] = tag;
    this.varint(len);
  }
  string(tag: number, s: string): void {
    const len = utf8Len(s);
    this.head(tag, len);
    if (len === s.length) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  hex(tag: number, h: string): void {
    this.head(tag, h.length / 2);
    this.pos += this.buf.write(h, this.pos, 'hex');
  }
  /** Epoch microseconds as fixed64 nanoseconds, exactly, without BigInt (us * 1000 passes 2^53). */
  fixed64Us(tag: number, us: number): void {
    this.buf[this.pos++] = tag;
    const u = Math.round(us);
    const usHi = Math.floor(u / 4294967296);
    const loNs = (u - usHi * 4294967296) * 1000;
    const carry = Math.floor(loNs / 4294967296);
    this.buf.writeUInt32LE(loNs - carry * 4294967296, this.pos);
    this.buf.writeUInt32LE(usHi * 1000 + carry, this.pos + 4);
    this.pos += 8;
  }
  kv(tag: number, key: string, value: string): void {
    this.head(tag, kvLen(key, value));
    this.string(T_KV_KEY, key);
    this.head(T_KV_VALUE, fieldLen(utf8Len(value)));
    this.string(T_ANY_STRING, value);
  }
}

/** ExportTraceServiceRequest{resource_spans=1: ResourceSpans{resource=1, scope_spans=2: ScopeSpans{spans=2}}}. */
export function encodeOtlpTraces(spans: readonly Span[], serviceName: string): Buffer {
  const sizes = spans.map(spanLen);
  let scopeLen = 0;
  for (const n of sizes) scopeLen += fieldLen(n);
  const resourceLen = fieldLen(kvLen('service.name', serviceName));
  const rsLen = fieldLen(resourceLen) + fieldLen(scopeLen);
  const total = fieldLen(rsLen);
  const o = new Out(Buffer.allocUnsafe(total));
  o.head(T_RESOURCE_SPANS, rsLen);
  o.head(T_RESOURCE, resourceLen);
  o.kv(T_ATTRIBUTES_RESOURCE, 'service.name', serviceName);
  o.head(T_SCOPE_SPANS, scopeLen);
  spans.forEach((s, i) => {
    o.head(T_SPANS, sizes[i]!);
    o.hex(T_TRACE_ID, s.traceId);
    o.hex(T_SPAN_ID, s.spanId);
    if (s.tracestate !== '') o.string(T_TRACE_STATE, s.tracestate);
    if (s.parentId !== undefined) o.hex(T_PARENT_SPAN_ID, s.parentId);
    o.string(T_NAME, s.name);
    o.byte(T_KIND);
    o.byte(KIND[s.kind]);
    o.fixed64Us(T_START, s.startUs);
    o.fixed64Us(T_END, s.endUs);
    const t = s.tags;
    for (let j = 0; j < t.length; j += 2) o.kv(T_ATTRIBUTES, t[j]!, t[j + 1]!);
    if (s.tag('error') === 'true') {
      o.head(T_STATUS, 2);
      o.byte(T_STATUS_CODE);
      o.byte(STATUS_ERROR);
    }
  });
  if (o.pos !== total) throw new Error(`OTLP encoder size mismatch: ${o.pos} != ${total}`);
  return o.buf;
}
