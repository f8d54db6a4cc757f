/**
 * Test peers for tracing: an OTLP/HTTP receiver that decodes with the official OTLP protobuf
 * definitions (@opentelemetry/otlp-transformer's generated root), a Zipkin v2 JSON receiver, and
 * an upstream that records the request headers it got. All on 127.0.0.1, port 0.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** A span as the tests compare it, from either wire format. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: string;
  tags: Record<string, string>;
  startUs: number;
  endUs: number;
  shared?: boolean;
  serviceName: string;
  /** OTLP span status code (2 = ERROR), if any. */
  statusCode?: number;
}

export interface Receiver {
  readonly port: number;
  readonly spans: ReceivedSpan[];
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  /** Resolves once `n` spans arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

function hex(b: Uint8Array | null | undefined): string | undefined {
  return b === undefined || b === null || b.length === 0 ? undefined : Buffer.from(b).toString('hex');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function receiver(status: number, parse: (body: Buffer) => ReceivedSpan[]): Promise<Receiver> {
  const spans: ReceivedSpan[] = [];
  const requests: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers });
      spans.push(...parse(Buffer.concat(chunks)));
      res.writeHead(status, { 'content-length': 0 });
      res.end();
      for (const w of waiters.splice(0)) w();
    });
  });
  return listen(server).then((port) => ({
    port,
    spans,
    requests,
    waitFor(n: number, timeoutMs = 5000): Promise<ReceivedSpan[]> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${n} spans, got ${spans.length}`)), timeoutMs);
        const check = (): void => {
          if (spans.length >= n) {
            clearTimeout(timer);
            resolve(spans);
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  }));
}

const OTLP_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** OTLP/HTTP protobuf receiver (answers 200). */
export function otlpReceiver(): Promise<Receiver> {
  return receiver(200, (body) => {
    const msg = ExportTraceServiceRequest.decode(body);
    const out: ReceivedSpan[] = [];
    for (const rs of msg.resourceSpans) {
      const svc = rs.resource?.attributes?.find((a: { key: string }) => a.key === 'service.name')?.value?.stringValue ?? '';
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          const tags: Record<string, string> = {};
          for (const a of s.attributes) tags[a.key] = a.value.stringValue;
          out.push({
            traceId: hex(s.traceId)!,
            spanId: hex(s.spanId)!,
            parentSpanId: hex(s.parentSpanId),
            name: s.name,
            kind: OTLP_KINDS[s.kind] ?? String(s.kind),
            tags,
            startUs: Number(BigInt(s.startTimeUnixNano.toString()) / 1000n),
            endUs: Number(BigInt(s.endTimeUnixNano.toString()) / 1000n),
            serviceName: svc,
            ...(s.status ? { statusCode: s.status.code } : {}),
          });
        }
      }
    }
    return out;
  });
}

/** Zipkin v2 JSON receiver (answers 202 Accepted, as Zipkin's POST /api/v2/spans). */
export function zipkinReceiver(): Promise<Receiver> {
  return receiver(202, (body) => {
    const list = JSON.parse(body.toString('utf8')) as Array<Record<string, unknown>>;
    if (!Array.isArray(list)) throw new Error('Zipkin v2 body is not a JSON array');
    return list.map((s) => ({
      traceId: s['traceId'] as string,
      spanId: s['id'] as string,
      parentSpanId: s['parentId'] as string | undefined,
      name: s['name'] as string,
      kind: s['kind'] as string,
      tags: (s['tags'] ?? {}) as Record<string, string>,
      startUs: s['timestamp'] as number,
      endUs: (s['timestamp'] as number) + (s['duration'] as number),
      ...(s['shared'] !== undefined ? { shared: s['shared'] as boolean } : {}),
      serviceName: ((s['localEndpoint'] ?? {}) as { serviceName?: string }).serviceName ?? '',
    }));
  });
}

/** An upstream answering 200 `ok` that records every request's headers. */
export async function recordingUpstream(): Promise<{ port: number; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end('ok');
    });
  });
  const port = await listen(server);
  return { port, seen, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** A port with nothing listening (a collector that is down). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
