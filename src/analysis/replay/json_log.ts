/**
 * JSON access log lines (Envoy's `json_format`: one object per line). With the json_format the
 * log was written with, each key's template is compiled like a text format (log_format.ts) and
 * the key's value read back through it; a value that was exactly one operator is typed (a
 * number for %RESPONSE_CODE%), `null` or `"-"` is unset. Without it, the keys of the common
 * formats are recognised: Envoy's documentation examples, Istio's JSON encoding (`method`,
 * `path`, `authority`, `response_code`, `upstream_cluster`, `route_name`...), Envoy Gateway's
 * (`:authority`, `x-envoy-origin-path`...) and the usual variants. Pure.
 */
import { assign, compileLogFormat, compileTemplate, emptyRecord, parseLogLine, type LogFormat, type LogRecord } from './log_format.js';

/** A compiled json_format: for each key path, the template its value was written with. */
export interface JsonLogFormat {
  readonly entries: readonly { readonly path: readonly string[]; readonly template: LogFormat }[];
  readonly carries: readonly string[];
}

export type JsonLogFormatCompileResult = { ok: true; format: JsonLogFormat } | { ok: false; error: string };

/** Compiles a json_format Struct (nested objects allowed). */
export function compileJsonLogFormat(struct: Record<string, unknown>): JsonLogFormatCompileResult {
  const entries: { path: string[]; template: LogFormat }[] = [];
  const carries = new Set<string>();
  const walk = (obj: Record<string, unknown>, path: string[]): string | undefined => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string') {
        const t = compileTemplate(v);
        if (!t.ok) return `json_format ${[...path, k].join('.')}: ${t.error}`;
        if (t.format.fields.length === 0) continue;
        for (const c of t.format.carries) carries.add(c);
        entries.push({ path: [...path, k], template: t.format });
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const err = walk(v as Record<string, unknown>, [...path, k]);
        if (err !== undefined) return err;
      }
    }
    return undefined;
  };
  const err = walk(struct, []);
  if (err !== undefined) return { ok: false, error: err };
  if (!carries.has('path')) return { ok: false, error: 'json_format: no key logs the path (%REQ(:PATH)% or %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%), so requests cannot be replayed' };
  return { ok: true, format: { entries, carries: [...carries] } };
}

/**
 * Keys of common JSON access log formats (compared lowercased with `-` as `_`), and the
 * operator each stands for.
 */
const COMMON_KEYS: Readonly<Record<string, string>> = {
  method: '%REQ(:METHOD)%',
  request_method: '%REQ(:METHOD)%',
  _method: '%REQ(:METHOD)%',
  http_method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  _path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  request_path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  x_envoy_origin_path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  x_envoy_original_path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  original_path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  authority: '%REQ(:AUTHORITY)%',
  _authority: '%REQ(:AUTHORITY)%',
  host: '%REQ(:AUTHORITY)%',
  request_authority: '%REQ(:AUTHORITY)%',
  scheme: '%REQ(:SCHEME)%',
  _scheme: '%REQ(:SCHEME)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  status: '%RESPONSE_CODE%',
  status_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  route_name: '%ROUTE_NAME%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  upstream_host: '%UPSTREAM_HOST%',
  start_time: '%START_TIME%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  x_forwarded_proto: '%REQ(X-FORWARDED-PROTO)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  x_request_id: '%REQ(X-REQUEST-ID)%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  requested_server_name: '%REQUESTED_SERVER_NAME%',
};

const commonTemplates = new Map<string, LogFormat>();
for (const [k, op] of Object.entries(COMMON_KEYS)) {
  const t = compileTemplate(op);
  if (t.ok) commonTemplates.set(k, t.format);
}

function normKey(k: string): string {
  return k.toLowerCase().replace(/[-:]/g, '_');
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Reads a value through a template; a one-operator template takes the value whole. */
function readThrough(template: LogFormat, value: string, rec: LogRecord): void {
  if (template.fields.length === 1 && template.lits[0] === '' && template.lits[1] === '') assign(rec, template.fields[0]!, value);
  else parseLogLine(template, value, rec);
}

/**
 * Reads one JSON line: with `format` (a compiled json_format) by its keys, else by the common
 * key names. Returns undefined for a line that is not a JSON object.
 */
export function parseJsonLogLine(line: string, format: JsonLogFormat | undefined): LogRecord | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const rec: LogRecord = emptyRecord();
  if (format !== undefined) {
    for (const e of format.entries) {
      let v: unknown = obj;
      for (const k of e.path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
      const s = text(v);
      if (s !== undefined) readThrough(e.template, s, rec);
    }
    return rec;
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const t = commonTemplates.get(normKey(k));
    const s = text(v);
    if (t !== undefined && s !== undefined) readThrough(t, s, rec);
  }
  return rec;
}

/** A `--format` value: a json_format object (JSON text starting with `{`) or a text format / preset. */
export type AnyLogFormat = { kind: 'text'; format: LogFormat } | { kind: 'json'; format: JsonLogFormat };

/** Compiles `--format`: JSON object text is a json_format, anything else a text format or preset name. */
export function compileAnyLogFormat(source: string): { ok: true; format: AnyLogFormat } | { ok: false; error: string } {
  if (source.trimStart().startsWith('{')) {
    let struct: unknown;
    try {
      struct = JSON.parse(source);
    } catch (e) {
      return { ok: false, error: `format: not valid JSON for a json_format: ${(e as Error).message}` };
    }
    if (struct === null || typeof struct !== 'object' || Array.isArray(struct)) return { ok: false, error: 'format: a json_format must be an object' };
    const r = compileJsonLogFormat(struct as Record<string, unknown>);
    return r.ok ? { ok: true, format: { kind: 'json', format: r.format } } : r;
  }
  const r = compileLogFormat(source);
  return r.ok ? { ok: true, format: { kind: 'text', format: r.format } } : r;
}

/**
 * Reads a line in whatever shape it has: a line starting with `{` as JSON (through the
 * json_format when one was given), else through the text format.
 */
export function parseAnyLogLine(line: string, text: LogFormat, json: JsonLogFormat | undefined): LogRecord | undefined {
  return line.charCodeAt(0) === 123 /* { */ ? parseJsonLogLine(line, json) : parseLogLine(text, line);
}
