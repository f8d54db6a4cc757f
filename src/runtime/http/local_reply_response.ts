/**
 * The response of a local reply (Envoy's Utility::sendLocalReply): `text/plain` with its length,
 * or for a gRPC request a trailers-only response — HTTP 200, `grpc-status` from the reply (a
 * filter's) or mapped from the HTTP status (core/grpc.ts httpToGrpcStatus), the body as a
 * percent-encoded `grpc-message`. A HEAD request gets the headers only. Pure.
 */
import { hasGrpcContentType, httpToGrpcStatus, percentEncodeGrpcMessage } from '../../core/grpc.js';
import type { LocalReplyOptions, RequestHeaderMap, ResponseHeaderMap } from './filter.js';

/** What a local reply writes: the head, the body, and whether the head ends the response. */
export interface LocalReplyResponse {
  readonly response: ResponseHeaderMap;
  readonly body: string;
  readonly endStream: boolean;
}

export function localReplyResponse(status: number, body: string, request: RequestHeaderMap, options: LocalReplyOptions | undefined): LocalReplyResponse {
  const headers: Record<string, string | string[] | number | undefined> = {};
  const ct = request.headers['content-type'];
  const grpc = ct !== undefined && hasGrpcContentType(typeof ct === 'string' ? ct : ct[0]);
  if (grpc) headers['content-type'] = 'application/grpc';
  else if (body.length > 0) {
    headers['content-length'] = Buffer.byteLength(body);
    headers['content-type'] = 'text/plain';
  } else headers['content-length'] = 0;
  const extra = options?.headers;
  if (extra) for (const [k, v] of extra) headers[k] = v;
  const isHead = request.method === 'HEAD';
  if (grpc) {
    if (headers['grpc-status'] === undefined) headers['grpc-status'] = String(options?.grpcStatus ?? httpToGrpcStatus(status));
    if (body.length > 0 && !isHead) headers['grpc-message'] = percentEncodeGrpcMessage(body);
    delete headers['content-length'];
    return { response: { status: 200, headers }, body: '', endStream: true };
  }
  return { response: { status, headers }, body, endStream: body.length === 0 || isHead };
}
