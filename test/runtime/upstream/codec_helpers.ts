/** Fixtures for the upstream codec tests: raw scripted origins and a decoder that records every callback. */
import type net from 'node:net';
import type { Cluster } from '../../../src/config/types.js';
import type { ConnPoolBase as Http1ConnPool } from '../../../src/runtime/upstream/pool/conn_pool_base.js';
import type {
  HeaderList,
  PoolCallbacks,
  RequestEncoder,
  ResponseDecoder,
  StreamResetReason,
  ThreadLocalCluster,
} from '../../../src/runtime/upstream/types.js';
import { setupCluster, startRawOrigin, staticCluster, type Origin } from './helpers.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Req {
  method?: string;
  path?: string;
  headers?: HeaderList;
  body?: Buffer[];
  /** Leave the body open after `body` (the test drives the encoder). */
  open?: boolean;
}

/** Records every decoder callback as text; `withTrailers` decides whether onTrailers exists. */
export class Recorder implements ResponseDecoder, PoolCallbacks {
  readonly events: string[] = [];
  status = 0;
  headers: HeaderList = [];
  trailers: HeaderList | undefined;
  body = '';
  reset: { reason: StreamResetReason; transport?: string } | undefined;
  encoder: RequestEncoder | undefined;
  readonly done: Promise<this>;
  onTrailers?: (t: HeaderList) => void;
  onDataHook?: (r: Recorder) => void;
  private resolve!: (r: this) => void;

  constructor(
    private readonly req: Req = {},
    withTrailers = true,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    if (withTrailers) {
      this.onTrailers = (t) => {
        this.trailers = t;
        this.events.push('trailers');
        this.resolve(this);
      };
    }
  }

  start(c: ThreadLocalCluster): this {
    c.httpConnPool(c.chooseHost(undefined)!).newStream(this, this);
    return this;
  }

  onPoolReady(encoder: RequestEncoder): void {
    this.encoder = encoder;
    const { body, open } = this.req;
    encoder.encodeHeaders(this.req.method ?? 'GET', this.req.path ?? '/', 'test.local', this.req.headers ?? [], !body && !open);
    if (body) body.forEach((c, i) => encoder.encodeData(c, !open && i === body.length - 1));
  }

  onPoolFailure(reason: string): void {
    this.events.push(`pool-failure ${reason}`);
    this.resolve(this);
  }

  onHeaders(status: number, headers: HeaderList, endStream: boolean): void {
    this.status = status;
    this.headers = headers;
    this.events.push(`headers ${status} ${endStream}`);
    if (endStream) this.resolve(this);
  }

  onData(chunk: Buffer, endStream: boolean): void {
    this.body += chunk.toString('latin1');
    this.events.push(`data ${chunk.length} ${endStream}`);
    this.onDataHook?.(this);
    if (endStream) this.resolve(this);
  }

  onReset(reason: StreamResetReason, transport?: string): void {
    this.reset = { reason, transport };
    this.events.push(`reset ${reason}`);
    this.resolve(this);
  }
}

/** A raw origin that records what each connection received and answers with `respond`. */
export async function scripted(respond: (s: net.Socket, request: string, n: number) => void): Promise<Origin & { received: string[] }> {
  const received: string[] = [];
  let n = 0;
  const origin = await startRawOrigin((s) => {
    const i = received.push('') - 1;
    s.on('data', (d: Buffer) => {
      received[i] += d.toString('latin1');
      // One response per complete request: head, then the body its framing announces.
      const req = received[i]!;
      const headEnd = req.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = /\r\ncontent-length: (\d+)\r\n/.exec(req.slice(0, headEnd + 2));
      const complete = /\r\ntransfer-encoding: chunked\r\n/.test(req.slice(0, headEnd + 2))
        ? req.endsWith('\r\n0\r\n\r\n')
        : req.length >= headEnd + 4 + Number(length?.[1] ?? 0);
      if (complete) {
        received[i] = '';
        respond(s, req, n++);
      }
    });
  });
  return Object.assign(origin, { received });
}

export async function withCluster(
  origin: Origin,
  run: (c: ThreadLocalCluster, stat: (n: string) => number, pool: () => Http1ConnPool) => Promise<void>,
  extra: Partial<Cluster> = {},
): Promise<void> {
  const { cm, c, stat } = setupCluster(staticCluster('web', [origin.port], extra));
  try {
    await run(c, stat, () => c.httpConnPool(c.chooseHost(undefined)!) as Http1ConnPool);
  } finally {
    await cm.shutdown();
    await origin.close();
  }
}
