import type { StreamInfo } from '../../../src/runtime/stream_info.js';
import { newStreamInfo } from '../../../src/runtime/stream_info.js';

/** A completed stream: started at 2016-04-15T20:17:00.310Z, monotonic 1000, 226 ms long. */
export function sampleInfo(overrides: Partial<StreamInfo> = {}): StreamInfo {
  const info = newStreamInfo(Date.UTC(2016, 3, 15, 20, 17, 0, 310), 1000);
  Object.assign(info, {
    method: 'POST',
    path: '/api/v1/locations',
    authority: 'locations',
    requestHeaders: {
      'x-forwarded-for': '10.0.35.28',
      'user-agent': 'nsq2http',
      'x-request-id': 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
      host: 'locations',
    },
    responseCode: 204,
    responseHeaders: { 'x-envoy-upstream-service-time': '100', 'content-type': 'text/plain' },
    bytesReceived: 154,
    bytesSent: 0,
    lastDownstreamRxByteReceived: 1010,
    firstUpstreamRxByteReceived: 1100,
    lastDownstreamTxByteSent: 1226,
    upstreamHost: { addressString: '10.0.2.1:80', address: '10.0.2.1', port: 80, weight: 1, priority: 0 },
    upstreamCluster: 'locations',
    routeName: 'loc_route',
    attemptCount: 1,
    downstreamRemoteAddress: '10.0.35.28',
    downstreamRemotePort: 51234,
    downstreamLocalAddress: '127.0.0.1',
    downstreamLocalPort: 10000,
    requestId: 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
  });
  Object.assign(info, overrides);
  return info;
}

/** A stream double collecting what the sink wrote. */
export function memoryStream(): { chunks: string[]; write(chunk: string, cb?: (err?: Error | null) => void): boolean } {
  const chunks: string[] = [];
  return {
    chunks,
    write(chunk, cb) {
      chunks.push(chunk);
      cb?.();
      return true;
    },
  };
}
