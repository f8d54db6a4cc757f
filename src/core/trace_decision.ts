/**
 * Envoy's tracing decision for a request without a propagated sampling decision, kept in the
 * x-request-id UUID as Envoy keeps it (ConnectionManagerUtility::mutateTracingRequestHeader,
 * UUIDRequestIDExtension get/setTraceReason, TracerUtility::shouldTraceRequest).
 *
 * The 15th character of a 36-character x-request-id carries the reason: `9` service forced
 * (x-envoy-force-trace), `a` sampled (random_sampling), `b` client forced (x-client-trace-id
 * with client_sampling), anything else (`4` for a fresh UUID v4) not traceable.
 *
 * Pure: the randomness Envoy draws for client_sampling comes in as an argument; random_sampling
 * and overall_sampling use the request id itself (its first 8 hex digits modulo 10000), so one
 * request id always gets the same decision at every hop.
 */
import type { FractionalPercent } from '../config/types.js';
import type { HcmTracing, RouteTracing } from '../config/tracing_types.js';

/** Envoy's Tracing::Reason. */
export type TraceReason = 'not_traceable' | 'health_check' | 'sampling' | 'service_forced' | 'client_forced';

/** Envoy's Tracing::Decision. */
export interface TraceDecision {
  readonly reason: TraceReason;
  readonly traced: boolean;
}

/** A fraction as Envoy evaluates it: `random % denominator < numerator`. */
export interface Fraction {
  readonly numerator: number;
  readonly denominator: number;
}

/** The three sampling fractions of an HCM (or a route's override). */
export interface TraceSampling {
  readonly client: Fraction;
  readonly random: Fraction;
  readonly overall: Fraction;
}

/** Position of the trace reason in a UUID (`xxxxxxxx-xxxx-Rxxx-...`). */
export const TRACE_BYTE_POSITION = 14;
const UUID_LENGTH = 36;
const TRACE_FORCED = '9';
const TRACE_SAMPLED = 'a';
const TRACE_CLIENT = 'b';
const NO_TRACE = '4';

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000 } as const;

function fromFractional(p: FractionalPercent | undefined): Fraction {
  if (p === undefined) return { numerator: 100, denominator: 100 };
  return { numerator: p.numerator ?? 0, denominator: DENOMINATORS[p.denominator ?? 'HUNDRED'] };
}

/**
 * The HCM's sampling as Envoy compiles it (HttpConnectionManagerConfig): client_sampling and
 * overall_sampling are whole percents out of 100 (default 100); random_sampling is kept to two
 * decimals, out of 10000 (default 100%).
 */
export function compileTraceSampling(t: HcmTracing): TraceSampling {
  return {
    client: { numerator: Math.trunc(t.client_sampling ?? 100), denominator: 100 },
    random: { numerator: Math.round((t.random_sampling ?? 100) * 100), denominator: 10000 },
    overall: { numerator: Math.trunc(t.overall_sampling ?? 100), denominator: 100 },
  };
}

/** A route's `tracing` override: each fraction defaults to 100%. */
export function compileRouteTraceSampling(t: RouteTracing): TraceSampling {
  return { client: fromFractional(t.client_sampling), random: fromFractional(t.random_sampling), overall: fromFractional(t.overall_sampling) };
}

function enabled(f: Fraction, random: number): boolean {
  return random % f.denominator < f.numerator;
}

/** The trace reason packed in an x-request-id (UUIDRequestIDExtension::getTraceReason). */
export function traceReasonOf(requestId: string | undefined): TraceReason {
  if (requestId === undefined || requestId.length !== UUID_LENGTH) return 'not_traceable';
  switch (requestId[TRACE_BYTE_POSITION]) {
    case TRACE_FORCED:
      return 'service_forced';
    case TRACE_SAMPLED:
      return 'sampling';
    case TRACE_CLIENT:
      return 'client_forced';
    default:
      return 'not_traceable';
  }
}

function withReason(requestId: string, reason: TraceReason): string {
  const c = reason === 'service_forced' ? TRACE_FORCED : reason === 'sampling' ? TRACE_SAMPLED : reason === 'client_forced' ? TRACE_CLIENT : NO_TRACE;
  if (requestId[TRACE_BYTE_POSITION] === c) return requestId;
  return requestId.slice(0, TRACE_BYTE_POSITION) + c + requestId.slice(TRACE_BYTE_POSITION + 1);
}

/** UUIDRequestIDExtension::toInteger: the first 8 hex digits, or undefined. */
function requestIdInteger(rid: string): number | undefined {
  if (rid.length < 8) return undefined;
  const head = rid.slice(0, 8);
  if (!/^[0-9a-fA-F]{8}$/.test(head)) return undefined;
  return parseInt(head, 16);
}

/**
 * mutateTracingRequestHeader: the x-request-id with the trace decision packed in, or the id
 * unchanged. A request already marked traceable keeps its reason (an upstream Envoy decided),
 * subject to overall_sampling. `clientRandom` is the random draw for client_sampling.
 * `clientTraceId` / `forceTrace`: whether x-client-trace-id / x-envoy-force-trace are present.
 */
export function mutateTracingRequestId(
  requestId: string | undefined,
  clientTraceId: boolean,
  forceTrace: boolean,
  sampling: TraceSampling,
  clientRandom: number,
): string | undefined {
  if (requestId === undefined) return undefined;
  const n = requestIdInteger(requestId);
  if (n === undefined) return requestId;
  const result = n % 10000;
  let rid = requestId;
  if (traceReasonOf(rid) === 'not_traceable') {
    if (clientTraceId && enabled(sampling.client, clientRandom)) rid = withReason(rid, 'client_forced');
    else if (forceTrace) rid = withReason(rid, 'service_forced');
    else if (enabled(sampling.random, result)) rid = withReason(rid, 'sampling');
  }
  if (traceReasonOf(rid) !== 'not_traceable' && !enabled(sampling.overall, result)) rid = withReason(rid, 'not_traceable');
  // A non-UUID id cannot carry a reason (setTraceReason leaves it): the decision is not traceable.
  return rid.length === UUID_LENGTH ? rid : requestId;
}

/** TracerUtility::shouldTraceRequest: health checks never, else the reason in the request id. */
export function shouldTraceRequest(requestId: string | undefined, healthCheck: boolean): TraceDecision {
  if (healthCheck) return HEALTH_CHECK;
  const reason = traceReasonOf(requestId);
  switch (reason) {
    case 'service_forced':
      return SERVICE_FORCED;
    case 'sampling':
      return SAMPLING;
    case 'client_forced':
      return CLIENT_FORCED;
    default:
      return NOT_TRACEABLE;
  }
}

const HEALTH_CHECK: TraceDecision = { reason: 'health_check', traced: false };
const SERVICE_FORCED: TraceDecision = { reason: 'service_forced', traced: true };
const SAMPLING: TraceDecision = { reason: 'sampling', traced: true };
const CLIENT_FORCED: TraceDecision = { reason: 'client_forced', traced: true };
const NOT_TRACEABLE: TraceDecision = { reason: 'not_traceable', traced: false };
