/**
 * Access log filters (`envoy.config.accesslog.v3.AccessLogFilter`): decide per stream whether a
 * line is written. Compiled once; evaluating one is a few comparisons.
 *
 * Implemented: status_code_filter, duration_filter, not_health_check_filter,
 * response_flag_filter, header_filter, and_filter, or_filter. Others (runtime_filter,
 * traceable_filter, grpc_status_filter, metadata_filter, log_type_filter, extension_filter) are
 * reported as not implemented: silently logging everything would not be what the user asked.
 */
import type { HeaderMatcher } from '../../config/types.js';
import type { CompileContext } from '../../core/compile_context.js';
import { compileHeaderMatcher } from '../../core/header_matcher.js';
import type { RouteRequest } from '../../core/route_types.js';
import type { StreamInfo } from '../stream_info.js';
import { KNOWN_RESPONSE_FLAGS } from './response_flags.js';

export type AccessLogPredicate = (info: StreamInfo, monotonicNow: number) => boolean;

export type FilterCompileResult = { ok: true; predicate: AccessLogPredicate } | { ok: false; error: string };

type Op = 'EQ' | 'GE' | 'LE' | 'NE';

function field(obj: Record<string, unknown>, snake: string): unknown {
  if (snake in obj) return obj[snake];
  const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return obj[camel];
}

function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = snakeKeys(val);
  return out;
}

/** `ComparisonFilter {op, value: RuntimeUInt32}`; the runtime key is not consulted (static). */
function comparison(raw: unknown, what: string): { ok: true; op: Op; value: number } | { ok: false; error: string } {
  if (typeof raw !== 'object' || raw === null) return { ok: false, error: `${what}: comparison is required` };
  const c = raw as Record<string, unknown>;
  const op = (field(c, 'op') ?? 'EQ') as Op;
  if (!['EQ', 'GE', 'LE', 'NE'].includes(op)) return { ok: false, error: `${what}: unknown comparison op ${String(op)}` };
  const v = field(c, 'value');
  const value =
    typeof v === 'number' ? v : typeof v === 'object' && v !== null ? Number(field(v as Record<string, unknown>, 'default_value') ?? 0) : 0;
  return { ok: true, op, value };
}

function compare(op: Op, actual: number, value: number): boolean {
  switch (op) {
    case 'EQ':
      return actual === value;
    case 'GE':
      return actual >= value;
    case 'LE':
      return actual <= value;
    case 'NE':
      return actual !== value;
  }
}

/** Compiles an AccessLogFilter message. */
export function compileAccessLogFilter(raw: unknown): FilterCompileResult {
  if (typeof raw !== 'object' || raw === null) return { ok: false, error: 'access log filter must be an object' };
  const f = raw as Record<string, unknown>;
  const keys = Object.keys(f);
  if (keys.length !== 1) return { ok: false, error: 'access log filter must set exactly one filter type' };
  const kind = keys[0]!.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  const body = (f[keys[0]!] ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'status_code_filter': {
      const c = comparison(field(body, 'comparison'), kind);
      if (!c.ok) return c;
      return { ok: true, predicate: (i) => compare(c.op, i.responseCode, c.value) };
    }
    case 'duration_filter': {
      const c = comparison(field(body, 'comparison'), kind);
      if (!c.ok) return c;
      return {
        ok: true,
        predicate: (i, now) => compare(c.op, Math.floor((i.lastDownstreamTxByteSent ?? now) - i.startMonotonic), c.value),
      };
    }
    case 'not_health_check_filter':
      return { ok: true, predicate: (i) => i.healthCheck !== true };
    case 'response_flag_filter': {
      const flags = (field(body, 'flags') ?? []) as unknown[];
      for (const fl of flags) {
        if (typeof fl !== 'string' || !KNOWN_RESPONSE_FLAGS.has(fl)) {
          return { ok: false, error: `response_flag_filter: unknown response flag ${String(fl)}` };
        }
      }
      if (flags.length === 0) return { ok: true, predicate: (i) => i.responseFlags.length > 0 };
      const wanted = new Set(flags as string[]);
      return { ok: true, predicate: (i) => i.responseFlags.some((x) => wanted.has(x)) };
    }
    case 'header_filter': {
      const raw = field(body, 'header');
      if (typeof raw !== 'object' || raw === null) return { ok: false, error: 'header_filter: header is required' };
      const ctx: CompileContext = { runtime: {}, diagnostics: [], file: '' };
      const m = compileHeaderMatcher(snakeKeys(raw) as HeaderMatcher, ctx, '$.header_filter.header');
      const errors = ctx.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) return { ok: false, error: `header_filter: ${errors.map((d) => d.message).join('; ')}` };
      return {
        ok: true,
        predicate: (i) => {
          const req: RouteRequest = {
            authority: i.authority,
            path: i.path ?? '',
            method: i.method ?? '',
            scheme: 'http',
            headers: i.requestHeaders ?? {},
          };
          return m.matches(req);
        },
      };
    }
    case 'and_filter':
    case 'or_filter': {
      const subs = (field(body, 'filters') ?? []) as unknown[];
      if (!Array.isArray(subs) || subs.length < 2) return { ok: false, error: `${kind}: needs at least 2 filters` };
      const preds: AccessLogPredicate[] = [];
      for (const s of subs) {
        const r = compileAccessLogFilter(s);
        if (!r.ok) return r;
        preds.push(r.predicate);
      }
      return kind === 'and_filter'
        ? { ok: true, predicate: (i, n) => preds.every((p) => p(i, n)) }
        : { ok: true, predicate: (i, n) => preds.some((p) => p(i, n)) };
    }
    default:
      return { ok: false, error: `access log filter ${kind} is not implemented by tsproxy` };
  }
}
