/**
 * The admin listener: its own socket (never shared with traffic listeners), HTTP/1.1 through
 * node:http (the admin is not a hot path), every request handed to the Admin dispatcher.
 * Charges Envoy's admin stats (`http.admin.downstream_rq_*`, `http.admin.downstream_cx_*`,
 * `listener.admin.downstream_cx_*`, `http.admin.downstream_rq_time`) and writes the admin
 * access log (`admin.access_log`, or the deprecated `admin.access_log_path`).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AccessLogger } from '../http/conn_manager_config.js';
import type { TimeSource } from '../http/filter.js';
import { plainAddress } from '../http/header_sanitizer.js';
import { newStreamInfo } from '../stream_info.js';
import type { StatsStore } from '../stats/store.js';
import type { Admin } from './admin.js';
import { parseQuery } from './query.js';

/** Upper bound of a POST body the admin reads (runtime_modify form values). */
const MAX_BODY = 64 * 1024;

export interface AdminListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly store: StatsStore;
  readonly time: TimeSource;
  readonly accessLogger?: AccessLogger;
}

export class AdminListener {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly address: string,
    readonly port: number,
  ) {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Binds `host:port` (port 0 picks one). Rejects on bind errors. */
  static async start(admin: Admin, opts: AdminListenerOptions): Promise<AdminListener> {
    const st = opts.store.scope('http.admin.');
    const lst = opts.store.scope('listener.admin.');
    const stats = {
      cxTotal: st.counter('downstream_cx_total'),
      cxActive: st.gauge('downstream_cx_active'),
      lcxTotal: lst.counter('downstream_cx_total'),
      lcxActive: lst.gauge('downstream_cx_active'),
      rqTotal: st.counter('downstream_rq_total'),
      rqActive: st.gauge('downstream_rq_active'),
      rqCompleted: st.counter('downstream_rq_completed'),
      rqXx: [1, 2, 3, 4, 5].map((n) => st.counter(`downstream_rq_${n}xx`)),
      rqTime: st.histogram('downstream_rq_time'),
      cxLength: st.histogram('downstream_cx_length_ms'),
    };
    const time = opts.time;
    const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      const info = newStreamInfo(time.now(), time.monotonic());
      stats.rqTotal.inc();
      stats.rqActive.inc();
      info.method = req.method ?? '';
      info.path = req.url ?? '/';
      info.authority = req.headers.host;
      info.protocol = `HTTP/${req.httpVersion}`;
      info.requestHeaders = req.headers;
      info.downstreamRemoteAddress = plainAddress(req.socket.remoteAddress);
      info.downstreamRemotePort = req.socket.remotePort;
      info.downstreamLocalAddress = plainAddress(req.socket.localAddress);
      info.downstreamLocalPort = req.socket.localPort;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () => {
        info.bytesReceived = size;
        info.lastDownstreamRxByteReceived = time.monotonic();
        const form =
          req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
            ? parseQuery(Buffer.concat(chunks).toString('utf8'))
            : undefined;
        void admin.request(req.method ?? 'GET', req.url ?? '/', form).then((r) => {
          const body = Buffer.from(r.body, 'utf8');
          const headers = { ...r.headers, 'content-length': String(body.length) };
          res.writeHead(r.status, headers);
          res.end(req.method === 'HEAD' ? undefined : body);
          info.responseCode = r.status;
          info.responseCodeDetails = 'admin_filter_response';
          info.responseHeaders = headers;
          info.bytesSent = req.method === 'HEAD' ? 0 : body.length;
          info.lastDownstreamTxByteSent = time.monotonic();
          stats.rqActive.dec();
          stats.rqCompleted.inc();
          stats.rqXx[Math.min(4, Math.max(0, ((r.status / 100) | 0) - 1))]!.inc();
          stats.rqTime.record(info.lastDownstreamTxByteSent - info.startMonotonic);
          opts.accessLogger?.log(info);
        });
      });
    });
    server.on('connection', (s: Socket) => {
      const opened = time.monotonic();
      stats.cxTotal.inc();
      stats.cxActive.inc();
      stats.lcxTotal.inc();
      stats.lcxActive.inc();
      s.on('close', () => {
        stats.cxActive.dec();
        stats.lcxActive.dec();
        stats.cxLength.record(time.monotonic() - opened);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    const a = server.address() as AddressInfo;
    return new AdminListener(server, plainAddress(a.address), a.port);
  }

  /** Stops accepting and closes every admin connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}
