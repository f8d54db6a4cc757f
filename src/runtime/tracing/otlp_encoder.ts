/**
 * OTLP protobuf encoding of finished spans: an `opentelemetry.proto.collector.trace.v1.
 * ExportTraceServiceRequest` with one ResourceSpans (resource attribute `service.name`) and one
 * ScopeSpans, written by hand (field numbers from opentelemetry-proto trace.proto, common.proto,
 * resource.proto). Tests decode the output with the official generated definitions.
 */
import type { Span } from './span.js';

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;

/** A growable protobuf writer; nested messages are written to a child and copied in. */
class Writer {
  buf = Buffer.allocUnsafe(1024);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  varint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(field: number, b: Buffer): void {
    this.tag(field, LEN);
    this.varint(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, Buffer.from(s, 'utf8'));
  }

  fixed64(field: number, v: bigint): void {
    this.tag(field, I64);
    this.ensure(8);
    this.buf.writeBigUInt64LE(v, this.len);
    this.len += 8;
  }

  enumValue(field: number, v: number): void {
    this.tag(field, VARINT);
    this.varint(v);
  }

  message(field: number, w: Writer): void {
    this.bytes(field, w.finish());
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** KeyValue{key=1, value=AnyValue{string_value=1}}. */
function keyValue(key: string, value: string): Writer {
  const any = new Writer();
  any.string(1, value);
  const kv = new Writer();
  kv.string(1, key);
  kv.message(2, any);
  return kv;
}

const KIND = { SERVER: 2, CLIENT: 3 } as const;
/** Status.code STATUS_CODE_ERROR. */
const STATUS_ERROR = 2;

function spanMessage(s: Span): Writer {
  const w = new Writer();
  w.bytes(1, Buffer.from(s.traceId, 'hex'));
  w.bytes(2, Buffer.from(s.spanId, 'hex'));
  if (s.tracestate !== '') w.string(3, s.tracestate);
  if (s.parentId !== undefined) w.bytes(4, Buffer.from(s.parentId, 'hex'));
  w.string(5, s.name);
  w.enumValue(6, KIND[s.kind]);
  w.fixed64(7, BigInt(Math.round(s.startUs)) * 1000n);
  w.fixed64(8, BigInt(Math.round(s.endUs)) * 1000n);
  const t = s.tags;
  for (let i = 0; i < t.length; i += 2) w.message(9, keyValue(t[i]!, t[i + 1]!));
  if (s.tag('error') === 'true') {
    const status = new Writer();
    status.enumValue(3, STATUS_ERROR);
    w.message(15, status);
  }
  return w;
}

/** ExportTraceServiceRequest{resource_spans=1: ResourceSpans{resource=1, scope_spans=2: ScopeSpans{spans=2}}}. */
export function encodeOtlpTraces(spans: readonly Span[], serviceName: string): Buffer {
  const resource = new Writer();
  resource.message(1, keyValue('service.name', serviceName));
  const scope = new Writer();
  for (const s of spans) scope.message(2, spanMessage(s));
  const rs = new Writer();
  rs.message(1, resource);
  rs.message(2, scope);
  const req = new Writer();
  req.message(1, rs);
  return Buffer.from(req.finish());
}
