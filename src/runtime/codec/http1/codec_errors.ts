/**
 * What the downstream HTTP/1 codec answers when a request does not parse: llhttp's error codes
 * (and CodecErrorCodes) mapped to Envoy's codec error status and response-code details. Pure.
 */
import { Details } from '../../http/local_reply.js';
import { CodecErrorCodes } from './parser_rules.js';

/** Why a request never became a stream (http1/server_connection.ts): the connection manager counts each. */
export type HeadlessReason = 'protocol_error' | 'header_timeout' | 'idle_timeout' | 'disconnect';

/** llhttp error codes -> Envoy's codec error status and details; undefined: not a parse error. */
export function codecError(code: string | undefined): { status: number; details: string } | undefined {
  switch (code) {
    // Envoy's codec_impl.cc: a transfer-encoding other than chunked is 501; with content-length 400.
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { status: 501, details: 'http1.invalid_transfer_encoding' };
    case CodecErrorCodes.ChunkedContentLength:
      return { status: 400, details: 'http1.content_length_and_chunked_not_allowed' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, details: Details.HeadersTooLarge };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, details: Details.InvalidCharacters };
    case 'HPE_INVALID_URL':
      return { status: 400, details: Details.InvalidUrl };
    default:
      if (code !== undefined && code.startsWith('HPE_')) return { status: 400, details: Details.HttpCodecError };
      return undefined;
  }
}
