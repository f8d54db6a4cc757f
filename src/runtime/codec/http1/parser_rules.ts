/**
 * Where Envoy's HTTP/1 request parsing (BalsaParser and Http1::ConnectionImpl, source/common/
 * http/http1/) differs from Node's llhttp, for the downstream codec: the methods Envoy accepts,
 * and the parse errors Envoy tells apart that llhttp reports under one code. Stateless.
 */
import { methods } from '../../llhttp.js';

/**
 * Codes `onCodecError` reports besides llhttp's own `HPE_*`, where Envoy tells apart cases llhttp
 * reports under one code.
 */
export const CodecErrorCodes = {
  /** Content-Length with Transfer-Encoding (llhttp: HPE_INVALID_CONTENT_LENGTH or _TRANSFER_ENCODING). */
  ChunkedContentLength: 'HPE_CONTENT_LENGTH_AND_CHUNKED',
  /** A header name that is not a token (llhttp: HPE_INVALID_HEADER_TOKEN, which also covers values). */
  InvalidHeaderName: 'HPE_INVALID_HEADER_NAME',
} as const;

/**
 * llhttp's error, refined where Envoy distinguishes cases llhttp reports under one code (by
 * llhttp's reason text): Content-Length with Transfer-Encoding is Envoy's
 * `http1.content_length_and_chunked_not_allowed` (400), not the 501 of an unsupported
 * transfer-encoding; an invalid header name is `http1.codec_error`, an invalid value character
 * `http1.invalid_characters`.
 */
export function refineParseError(code: string, reason: string | undefined): string {
  if (reason === undefined) return code;
  if ((code === 'HPE_INVALID_TRANSFER_ENCODING' || code === 'HPE_INVALID_CONTENT_LENGTH') && reason.includes("can't be present with")) {
    return CodecErrorCodes.ChunkedContentLength;
  }
  if (code === 'HPE_INVALID_HEADER_TOKEN' && reason !== 'Invalid header value char') return CodecErrorCodes.InvalidHeaderName;
  return code;
}

/**
 * Envoy's request methods by llhttp's method number (BalsaParser's list, allow_custom_methods
 * false): llhttp's HTTP methods but M-SEARCH (Envoy lists `MSEARCH`, which no parser produces)
 * and QUERY; PRI and the RTSP methods are not HTTP/1.1 methods. Undefined: refused with 400
 * `http1.codec_error` (Envoy's HPE_INVALID_METHOD).
 */
export const ENVOY_METHODS: readonly (string | undefined)[] = methods.map((m, i) => (i <= 33 && m !== 'M-SEARCH' ? m : undefined));
