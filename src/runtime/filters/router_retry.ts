/**
 * Retry state of one downstream request (Envoy's RetryStateImpl): which failures are retriable
 * (`retry_on`), how many retries remain (`num_retries`, default 1), the jittered exponential
 * backoff (base 25 ms, max 10x base = 250 ms by default), and the `x-envoy-retry-on` /
 * `x-envoy-max-retries` overrides a trusted caller may send (edge requests have had them
 * stripped by the connection manager). Not re-entrant: the router calls it from its own callbacks.
 */
import type { RetryPolicy } from '../../config/types.js';
import {
  DEFAULT_NUM_RETRIES,
  DEFAULT_RETRY_BASE_INTERVAL_MS,
  RETRY_MAX_INTERVAL_FACTOR,
} from '../../config/defaults.js';
import type { EnvoyResetReason } from '../http/local_reply.js';
import type { HeaderList } from '../codec/types.js';
import { GrpcStatus } from '../../core/grpc.js';

/** Retry-on bits. */
const RETRY_5XX = 1;
const RETRY_GATEWAY_ERROR = 2;
const RETRY_CONNECT_FAILURE = 4;
const RETRY_RETRIABLE_4XX = 8;
const RETRY_REFUSED_STREAM = 16;
const RETRY_RETRIABLE_STATUS_CODES = 32;
const RETRY_RESET = 64;
// retry_on gRPC conditions (x-envoy-retry-grpc-on): the grpc-status of a trailers-only response.
const RETRY_GRPC_CANCELLED = 128;
const RETRY_GRPC_DEADLINE_EXCEEDED = 256;
const RETRY_GRPC_RESOURCE_EXHAUSTED = 512;
const RETRY_GRPC_UNAVAILABLE = 1024;
const RETRY_GRPC_INTERNAL = 2048;
/** grpc-status -> its retry_on bit (Envoy's RetryStateImpl::wouldRetryFromHeaders). */
const GRPC_RETRY_BITS: ReadonlyMap<number, number> = new Map([
  [GrpcStatus.Canceled, RETRY_GRPC_CANCELLED],
  [GrpcStatus.DeadlineExceeded, RETRY_GRPC_DEADLINE_EXCEEDED],
  [GrpcStatus.ResourceExhausted, RETRY_GRPC_RESOURCE_EXHAUSTED],
  [GrpcStatus.Unavailable, RETRY_GRPC_UNAVAILABLE],
  [GrpcStatus.Internal, RETRY_GRPC_INTERNAL],
]);
const RETRY_GRPC_ANY = RETRY_GRPC_CANCELLED | RETRY_GRPC_DEADLINE_EXCEEDED | RETRY_GRPC_RESOURCE_EXHAUSTED | RETRY_GRPC_UNAVAILABLE | RETRY_GRPC_INTERNAL;

function parseRetryOn(s: string | undefined): number {
  if (!s) return 0;
  let bits = 0;
  for (const raw of s.split(',')) {
    switch (raw.trim()) {
      case '5xx': bits |= RETRY_5XX; break;
      case 'gateway-error': bits |= RETRY_GATEWAY_ERROR; break;
      case 'connect-failure': bits |= RETRY_CONNECT_FAILURE; break;
      case 'retriable-4xx': bits |= RETRY_RETRIABLE_4XX; break;
      case 'refused-stream': bits |= RETRY_REFUSED_STREAM; break;
      case 'retriable-status-codes': bits |= RETRY_RETRIABLE_STATUS_CODES; break;
      case 'reset': bits |= RETRY_RESET; break;
      case 'cancelled': bits |= RETRY_GRPC_CANCELLED; break;
      case 'deadline-exceeded': bits |= RETRY_GRPC_DEADLINE_EXCEEDED; break;
      case 'resource-exhausted': bits |= RETRY_GRPC_RESOURCE_EXHAUSTED; break;
      case 'unavailable': bits |= RETRY_GRPC_UNAVAILABLE; break;
      case 'internal': bits |= RETRY_GRPC_INTERNAL; break;
      default: break;
    }
  }
  return bits;
}

/** Retry bookkeeping for one downstream request; created only when something is retriable. */
export class RetryState {
  private readonly retryOn: number;
  private readonly statusCodes: readonly number[];
  private retriesRemaining: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private backoffAttempt = 1;

  private constructor(retryOn: number, numRetries: number, statusCodes: readonly number[], baseMs: number, maxMs: number) {
    this.retryOn = retryOn;
    this.retriesRemaining = numRetries;
    this.statusCodes = statusCodes;
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  /**
   * The retry state for a request, or undefined when nothing is retriable (Envoy returns a null
   * RetryState then, and the router buffers nothing).
   */
  static create(policy: RetryPolicy | undefined, headers: Record<string, string | string[] | undefined>): RetryState | undefined {
    const hdrOn = headers['x-envoy-retry-on'];
    const hdrGrpcOn = headers['x-envoy-retry-grpc-on'];
    const hdrMax = headers['x-envoy-max-retries'];
    let bits =
      parseRetryOn(policy?.retry_on) |
      parseRetryOn(typeof hdrOn === 'string' ? hdrOn : undefined) |
      (parseRetryOn(typeof hdrGrpcOn === 'string' ? hdrGrpcOn : undefined) & RETRY_GRPC_ANY);
    if (bits === 0) return undefined;
    let num = policy?.num_retries ?? DEFAULT_NUM_RETRIES;
    if (typeof hdrMax === 'string' && /^\d+$/.test(hdrMax)) num = Number(hdrMax);
    const codes = [...(policy?.retriable_status_codes ?? [])];
    const hdrCodes = headers['x-envoy-retriable-status-codes'];
    if (typeof hdrCodes === 'string') for (const c of hdrCodes.split(',')) if (/^\d+$/.test(c.trim())) codes.push(Number(c.trim()));
    const base = policy?.retry_back_off?.base_interval ?? DEFAULT_RETRY_BASE_INTERVAL_MS;
    const max = policy?.retry_back_off?.max_interval ?? base * RETRY_MAX_INTERVAL_FACTOR;
    bits |= 0;
    return new RetryState(bits, num, codes, base, max);
  }

  /**
   * Whether an upstream response head is retriable: its status under `retry_on`, or the
   * grpc-status of a trailers-only gRPC response under the gRPC conditions (`cancelled`,
   * `deadline-exceeded`, `resource-exhausted`, `unavailable`, `internal`).
   */
  wouldRetryResponse(status: number, headers: HeaderList): boolean {
    if (this.wouldRetryStatus(status)) return true;
    if ((this.retryOn & RETRY_GRPC_ANY) === 0) return false;
    for (let i = 0; i < headers.length; i++) {
      if (headers[i]![0] !== 'grpc-status') continue;
      const bit = GRPC_RETRY_BITS.get(Number(headers[i]![1]));
      return bit !== undefined && (this.retryOn & bit) !== 0;
    }
    return false;
  }

  /** Whether an upstream response status is retriable under `retry_on`. */
  wouldRetryStatus(status: number): boolean {
    const on = this.retryOn;
    if (on & RETRY_5XX && status >= 500 && status <= 599) return true;
    if (on & RETRY_GATEWAY_ERROR && (status === 502 || status === 503 || status === 504)) return true;
    if (on & RETRY_RETRIABLE_4XX && status === 409) return true;
    if (on & RETRY_RETRIABLE_STATUS_CODES && this.statusCodes.includes(status)) return true;
    return false;
  }

  /** Whether an upstream reset/pool failure is retriable. Timeouts count as 5xx/gateway-error. */
  wouldRetryReset(reason: EnvoyResetReason, timeout: boolean): boolean {
    const on = this.retryOn;
    if (timeout) return (on & (RETRY_5XX | RETRY_GATEWAY_ERROR)) !== 0;
    if (reason === 'overflow') return false;
    if (on & (RETRY_5XX | RETRY_GATEWAY_ERROR | RETRY_RESET)) return true;
    if (on & RETRY_CONNECT_FAILURE) {
      return reason === 'local_connection_failure' || reason === 'remote_connection_failure' || reason === 'connection_timeout';
    }
    return false;
  }

  /** Consumes one retry; false when `num_retries` is exhausted (URX). */
  takeRetry(): boolean {
    if (this.retriesRemaining <= 0) return false;
    this.retriesRemaining--;
    return true;
  }

  /**
   * Envoy's JitteredExponentialBackOffStrategy: `random % min(base * (2^n - 1), max)` with n the
   * attempt number starting at 1.
   */
  nextBackoffMs(random: number): number {
    const mult = 2 ** this.backoffAttempt - 1;
    this.backoffAttempt++;
    const ceiling = Math.min(this.baseMs * mult, this.maxMs);
    return ceiling > 0 ? random % ceiling : 0;
  }
}
