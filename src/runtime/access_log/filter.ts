/**
 * Access log filters (`envoy.config.accesslog.v3.AccessLogFilter`): decide per stream whether a
 * line is written. Compiled once; evaluating one is a few comparisons.
 *
 * Implemented: status_code_filter, duration_filter, not_health_check_filter,
 * response_flag_filter, header_filter, and_filter, or_filter. Others (runtime_filter,
 * traceable_filter, grpc_status_filter, metadata_filter, log_type_filter, extension_filter) are
 * reported as not implemented: silently logging everything would not be what the user asked.
 */
import type { AccessLogComparisonFilter, AccessLogFilter } from '../../config/extension_types.js';
import type { CompileContext } from '../../core/compile_context.js';
import { compileHeaderMatcher } from '../../core/header_matcher.js';
import type { RouteRequest } from '../../core/route_types.js';
import type { StreamInfo } from '../stream_info.js';
import { KNOWN_RESPONSE_FLAGS } from './response_flags.js';

export type AccessLogPredicate = (info: StreamInfo, monotonicNow: number) => boolean;

export type FilterCompileResult = { ok: true; predicate: AccessLogPredicate } | { ok: false; error: string };

type Op = NonNullable<AccessLogComparisonFilter['op']>;

const NOT_IMPLEMENTED = new Set([
  'runtime_filter',
  'traceable_filter',
  'grpc_status_filter',
  'metadata_filter',
  'log_type_filter',
  'extension_filter',
]);

/** `ComparisonFilter {op, value: RuntimeUInt32}`; the runtime key is not consulted (static). */
function comparison(c: AccessLogComparisonFilter | undefined, what: string): { ok: true; op: Op; value: number } | { ok: false; error: string } {
  if (c === undefined) return { ok: false, error: `${what}: comparison is required` };
  const op = c.op ?? 'EQ';
  if (!['EQ', 'GE', 'LE', 'NE'].includes(op)) return { ok: false, error: `${what}: unknown comparison op ${String(op)}` };
  return { ok: true, op, value: Number(c.value?.default_value ?? 0) };
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

/**
 * Compiles an AccessLogFilter message as the config layer decodes it (snake_case names, enums by
 * name), whichever spelling the user wrote.
 */
export function compileAccessLogFilter(f: AccessLogFilter): FilterCompileResult {
  if (typeof f !== 'object' || f === null) return { ok: false, error: 'access log filter must be an object' };
  const keys = Object.keys(f).filter((k) => f[k as keyof AccessLogFilter] !== undefined);
  if (keys.length !== 1) return { ok: false, error: 'access log filter must set exactly one filter type' };
  const kind = keys[0]!;
  switch (kind) {
    case 'status_code_filter': {
      const c = comparison(f.status_code_filter!.comparison, kind);
      if (!c.ok) return c;
      return { ok: true, predicate: (i) => compare(c.op, i.responseCode, c.value) };
    }
    case 'duration_filter': {
      const c = comparison(f.duration_filter!.comparison, kind);
      if (!c.ok) return c;
      return {
        ok: true,
        predicate: (i, now) => compare(c.op, Math.floor((i.lastDownstreamTxByteSent ?? now) - i.startMonotonic), c.value),
      };
    }
    case 'not_health_check_filter':
      return { ok: true, predicate: (i) => i.healthCheck !== true };
    case 'response_flag_filter': {
      const flags = f.response_flag_filter!.flags ?? [];
      for (const fl of flags) {
        if (typeof fl !== 'string' || !KNOWN_RESPONSE_FLAGS.has(fl)) {
          return { ok: false, error: `response_flag_filter: unknown response flag ${String(fl)}` };
        }
      }
      if (flags.length === 0) return { ok: true, predicate: (i) => i.responseFlags.length > 0 };
      const wanted = new Set(flags);
      return { ok: true, predicate: (i) => i.responseFlags.some((x) => wanted.has(x)) };
    }
    case 'header_filter': {
      const header = f.header_filter!.header;
      if (header === undefined) return { ok: false, error: 'header_filter: header is required' };
      const ctx: CompileContext = { runtime: {}, diagnostics: [], file: '' };
      const m = compileHeaderMatcher(header, ctx, '$.header_filter.header');
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
      const subs = (kind === 'and_filter' ? f.and_filter! : f.or_filter!).filters ?? [];
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
      return NOT_IMPLEMENTED.has(kind)
        ? { ok: false, error: `access log filter ${kind} is not implemented by tsproxy` }
        : { ok: false, error: `unknown access log filter type ${kind}` };
  }
}
