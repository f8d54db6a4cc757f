/**
 * A listener that runs a server codec per accepted connection with a handler wired by the test
 * (no connection manager): each stream's request is collected by a RecordingDecoder and handed to
 * `handler` when its head arrives. Binds 127.0.0.1 port 0. Used by the contract suites, the
 * real-peer tests and bench/h2_codec.
 */
import net from 'node:net';
import type {
  ConnectionCloseCause,
  HeaderList,
  RequestDecoder,
  RequestHeaderMap,
  ResponseEncoder,
  ServerConnection,
  ServerConnectionCallbacks,
  StreamResetReason,
} from '../../../src/runtime/codec/types.js';

/** One request as the codec delivered it. */
export class RecordingDecoder implements RequestDecoder {
  headers: RequestHeaderMap | undefined;
  headersEndStream = false;
  readonly chunks: Buffer[] = [];
  trailers: HeaderList | undefined;
  ended = false;
  reset: StreamResetReason | undefined;
  localReply: { status: number; details: string } | undefined;
  /** Called on every event after the head (body chunks, end, trailers, reset). */
  onEvent: (() => void) | undefined;
  private readonly endWaiters: Array<() => void> = [];

  constructor(
    readonly encoder: ResponseEncoder,
    private readonly onHead: (req: RecordingDecoder) => void,
  ) {
    encoder.stream.addCallbacks({
      onResetStream: (reason) => {
        this.reset = reason;
        this.fire();
      },
    });
  }

  decodeHeaders(headers: RequestHeaderMap, endStream: boolean): void {
    this.headers = headers;
    this.headersEndStream = endStream;
    if (endStream) this.ended = true;
    this.onHead(this);
    if (endStream) this.fire();
  }

  decodeData(chunk: Buffer, endStream: boolean): void {
    if (chunk.length > 0) this.chunks.push(chunk);
    if (endStream) this.ended = true;
    this.fire();
  }

  decodeTrailers(trailers: HeaderList): void {
    this.trailers = trailers;
    this.ended = true;
    this.fire();
  }

  sendLocalReply(status: number, _body: string, details: string): void {
    this.localReply = { status, details };
  }

  get body(): string {
    return Buffer.concat(this.chunks).toString();
  }

  /** Resolves when the request ended (or was reset). */
  whenEnded(): Promise<void> {
    if (this.ended || this.reset !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  private fire(): void {
    this.onEvent?.();
    if (this.ended || this.reset !== undefined) for (const w of this.endWaiters.splice(0)) w();
  }
}

/** Builds a server codec for one socket (the adapter a contract suite runs against). */
export type ServerCodecFactory = (socket: net.Socket, callbacks: ServerConnectionCallbacks) => ServerConnection;

export interface CodecServer {
  readonly port: number;
  /** Every request seen, in arrival order. */
  readonly requests: RecordingDecoder[];
  /** Every connection's codec, in accept order. */
  readonly connections: ServerConnection[];
  /** Close causes reported by onClose, in order. */
  readonly closes: Array<{ cause: ConnectionCloseCause; details: string }>;
  /** GOAWAY codes the peers sent. */
  readonly goaways: number[];
  close(): Promise<void>;
}

/** Starts a listener; `handler` is called with each request as soon as its head is decoded. */
export async function startCodecServer(factory: ServerCodecFactory, handler: (req: RecordingDecoder) => void): Promise<CodecServer> {
  const requests: RecordingDecoder[] = [];
  const connections: ServerConnection[] = [];
  const closes: CodecServer['closes'] = [];
  const goaways: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = factory(socket, {
      newStream(encoder) {
        const d = new RecordingDecoder(encoder, handler);
        requests.push(d);
        return d;
      },
      onClose(cause, details) {
        closes.push({ cause, details });
      },
      onGoAway(code) {
        goaways.push(code);
      },
    });
    connections.push(conn);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    requests,
    connections,
    closes,
    goaways,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A handler answering 200 with the request body (or `path` when there is none), echoing trailers. */
export function echoHandler(req: RecordingDecoder): void {
  const respond = (): void => {
    if (req.reset !== undefined) return;
    const body = req.chunks.length > 0 ? Buffer.concat(req.chunks) : Buffer.from(req.headers!.path);
    const enc = req.encoder;
    enc.encodeHeaders({ status: 200, headers: { 'content-type': 'text/plain', 'x-method': req.headers!.method } }, false);
    if (req.trailers !== undefined) {
      enc.encodeData(body, false);
      enc.encodeTrailers(req.trailers);
    } else enc.encodeData(body, true);
  };
  if (req.ended) respond();
  else void req.whenEnded().then(respond);
}
