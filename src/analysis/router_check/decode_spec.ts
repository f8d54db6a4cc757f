/**
 * Decodes a parsed test file (JSON-like values from JSON, YAML or text proto) into a
 * `RouterCheckSpec`, the way Envoy's tool does: proto3 field names in snake_case or
 * lowerCamelCase, unknown fields rejected, and the PGV rules of validation.proto enforced
 * (`tests` not empty, `test_name` not empty, `input` and `validate` present, `authority` and
 * `path` not empty, `method` at least 3 bytes). Errors carry the JSON path of the field.
 *
 * Pure. Never throws: problems come back as `errors`.
 */
import type { HeaderMatcher, RegexMatcher, StringMatcher } from '../../config/types.js';
import type { JsonValue } from '../../config/source.js';
import { structFrom, toPlain } from './struct_value.js';
import { didYouMean } from '../../config/suggest.js';
import type {
  RouteMetadataAssert,
  RouterCheckSpec,
  TestDynamicMetadata,
  TestHeaderValue,
  ValidationAssert,
  ValidationInput,
  ValidationItem,
} from './spec.js';

export interface DecodeSpecResult {
  spec?: RouterCheckSpec;
  /** `$.tests[0].input.authority: value is required` and the like. */
  errors: string[];
}

type Obj = { [key: string]: JsonValue };

/**
 * Decodes `root`. Wrapper fields (`StringValue`, `UInt32Value`) are read as plain values or, as
 * text proto writes them, as `{ value: x }` messages.
 */
export function decodeSpec(root: JsonValue): DecodeSpecResult {
  const d = new Decoder();
  const spec = d.validation(root, '$');
  return d.errors.length ? { errors: d.errors } : { spec, errors: [] };
}

function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v !== 'bigint';
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

class Decoder {
  readonly errors: string[] = [];

  err(path: string, msg: string): void {
    this.errors.push(`${path}: ${msg}`);
  }

  /** Reads the fields of a message, mapping lowerCamelCase to snake_case and rejecting unknown ones. */
  fields(v: JsonValue | undefined, path: string, known: readonly string[]): Map<string, JsonValue> | undefined {
    if (!isObj(v)) {
      this.err(path, `expected a message (object), found ${kind(v)}`);
      return undefined;
    }
    const out = new Map<string, JsonValue>();
    for (const [k, val] of Object.entries(v)) {
      const name = known.includes(k) ? k : snake(k);
      if (!known.includes(name)) {
        this.err(`${path}.${k}`, `unknown field "${k}"${didYouMean(k, known)}`);
        continue;
      }
      if (val === null) continue; // proto3 JSON: null means default
      out.set(name, val);
    }
    return out;
  }

  str(v: JsonValue | undefined, path: string, wrapper = false): string | undefined {
    if (v === undefined) return undefined;
    if (wrapper && isObj(v)) {
      const f = this.fields(v, path, ['value']);
      return f ? (this.str(f.get('value'), `${path}.value`) ?? '') : undefined;
    }
    if (typeof v === 'string') return v;
    this.err(path, `expected a string, found ${kind(v)}`);
    return undefined;
  }

  bool(v: JsonValue | undefined, path: string): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    this.err(path, `expected a boolean, found ${kind(v)}`);
    return undefined;
  }

  uint(v: JsonValue | undefined, path: string, wrapper = false): number | undefined {
    if (v === undefined) return undefined;
    if (wrapper && isObj(v)) {
      const f = this.fields(v, path, ['value']);
      return f ? (this.uint(f.get('value'), `${path}.value`) ?? 0) : undefined;
    }
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'bigint') n = Number(v);
    else if (typeof v === 'string' && /^[0-9]+$/.test(v)) n = Number(v);
    if (n === undefined || !Number.isInteger(n) || n < 0) {
      this.err(path, `expected a non-negative integer, found ${kind(v)}`);
      return undefined;
    }
    return n;
  }

  int64(v: JsonValue | undefined, path: string): bigint | undefined {
    if (v === undefined) return undefined;
    try {
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return BigInt(v);
    } catch {
      // fall through
    }
    this.err(path, `expected an int64, found ${kind(v)}`);
    return undefined;
  }

  list(v: JsonValue | undefined, path: string): Array<[JsonValue, string]> {
    if (v === undefined) return [];
    // A text-proto field written once is not an array yet.
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((x, i) => [x, `${path}[${i}]`] as [JsonValue, string]);
  }

  validation(root: JsonValue, path: string): RouterCheckSpec {
    const f = this.fields(root, path, ['tests', 'runtime']);
    const tests: ValidationItem[] = [];
    const runtime: Record<string, unknown> = {};
    if (!f) return { tests, runtime };
    for (const [t, p] of this.list(f.get('tests'), `${path}.tests`)) {
      const item = this.item(t, p);
      if (item) tests.push(item);
    }
    if (tests.length === 0 && this.errors.length === 0) this.err(`${path}.tests`, 'at least one test is required');
    const rt = f.get('runtime');
    if (rt !== undefined) {
      if (isObj(rt)) for (const [k, val] of Object.entries(rt)) runtime[k] = toPlain(val);
      else this.err(`${path}.runtime`, `expected a map of runtime keys to values, found ${kind(rt)}`);
    }
    return { tests, runtime };
  }

  item(v: JsonValue, path: string): ValidationItem | undefined {
    const f = this.fields(v, path, ['test_name', 'input', 'validate']);
    if (!f) return undefined;
    const test_name = this.str(f.get('test_name'), `${path}.test_name`) ?? '';
    if (test_name === '') this.err(`${path}.test_name`, 'value length must be at least 1 byte');
    if (!f.has('input')) this.err(`${path}.input`, 'value is required');
    if (!f.has('validate')) this.err(`${path}.validate`, 'value is required');
    const input = f.has('input') ? this.input(f.get('input')!, `${path}.input`) : undefined;
    const validate = f.has('validate') ? this.assert(f.get('validate')!, `${path}.validate`) : undefined;
    if (!input || !validate) return undefined;
    return { test_name, input, validate };
  }

  input(v: JsonValue, path: string): ValidationInput | undefined {
    const f = this.fields(v, path, [
      'authority',
      'path',
      'method',
      'random_value',
      'ssl',
      'internal',
      'runtime',
      'additional_request_headers',
      'additional_response_headers',
      'dynamic_metadata',
    ]);
    if (!f) return undefined;
    const input: ValidationInput = {
      authority: this.str(f.get('authority'), `${path}.authority`) ?? '',
      path: this.str(f.get('path'), `${path}.path`) ?? '',
      method: this.str(f.get('method'), `${path}.method`) ?? '',
      random_value: this.uint(f.get('random_value'), `${path}.random_value`) ?? 0,
      ssl: this.bool(f.get('ssl'), `${path}.ssl`) ?? false,
      internal: this.bool(f.get('internal'), `${path}.internal`) ?? false,
      runtime: this.str(f.get('runtime'), `${path}.runtime`) ?? '',
      additional_request_headers: this.headerValues(f.get('additional_request_headers'), `${path}.additional_request_headers`),
      additional_response_headers: this.headerValues(f.get('additional_response_headers'), `${path}.additional_response_headers`),
      dynamic_metadata: this.list(f.get('dynamic_metadata'), `${path}.dynamic_metadata`)
        .map(([x, p]) => this.dynamicMetadata(x, p))
        .filter((x): x is TestDynamicMetadata => x !== undefined),
    };
    // validation.proto's PGV rules.
    if (input.authority.length === 0) this.err(`${path}.authority`, 'value length must be at least 1 byte');
    if (input.path.length === 0) this.err(`${path}.path`, 'value length must be at least 1 byte');
    if (new TextEncoder().encode(input.method).length < 3) this.err(`${path}.method`, 'value length must be at least 3 bytes');
    return input;
  }

  headerValues(v: JsonValue | undefined, path: string): TestHeaderValue[] {
    const out: TestHeaderValue[] = [];
    for (const [x, p] of this.list(v, path)) {
      const f = this.fields(x, p, ['key', 'value', 'raw_value']);
      if (!f) continue;
      const key = this.str(f.get('key'), `${p}.key`) ?? '';
      if (key === '') this.err(`${p}.key`, 'value length must be at least 1 byte');
      out.push({ key, value: this.str(f.get('value'), `${p}.value`) ?? this.str(f.get('raw_value'), `${p}.raw_value`) ?? '' });
    }
    return out;
  }

  dynamicMetadata(v: JsonValue, path: string): TestDynamicMetadata | undefined {
    const f = this.fields(v, path, ['metadata_namespace', 'allow_overwrite', 'value', 'typed_value']);
    if (!f) return undefined;
    if (f.has('typed_value')) this.err(`${path}.typed_value`, 'typed_value is not supported by tsproxy; use value');
    const value = f.get('value');
    let struct: Record<string, unknown> = {};
    if (value !== undefined) {
      if (isObj(value)) struct = structFrom(value);
      else this.err(`${path}.value`, `expected a Struct (object), found ${kind(value)}`);
    }
    return {
      metadata_namespace: this.str(f.get('metadata_namespace'), `${path}.metadata_namespace`) ?? '',
      allow_overwrite: this.bool(f.get('allow_overwrite'), `${path}.allow_overwrite`) ?? false,
      value: struct,
    };
  }

  assert(v: JsonValue, path: string): ValidationAssert | undefined {
    const f = this.fields(v, path, [
      'cluster_name',
      'virtual_cluster_name',
      'virtual_host_name',
      'host_rewrite',
      'path_rewrite',
      'path_redirect',
      'code_redirect',
      'request_header_matches',
      'response_header_matches',
      'request_header_fields',
      'response_header_fields',
      'timeout',
      'route_metadata',
    ]);
    if (!f) return undefined;
    const a: ValidationAssert = {
      request_header_matches: this.list(f.get('request_header_matches'), `${path}.request_header_matches`)
        .map(([x, p]) => this.headerMatcher(x, p))
        .filter((x): x is HeaderMatcher => x !== undefined),
      response_header_matches: this.list(f.get('response_header_matches'), `${path}.response_header_matches`)
        .map(([x, p]) => this.headerMatcher(x, p))
        .filter((x): x is HeaderMatcher => x !== undefined),
      request_header_fields: this.headerValues(f.get('request_header_fields'), `${path}.request_header_fields`),
      response_header_fields: this.headerValues(f.get('response_header_fields'), `${path}.response_header_fields`),
      route_metadata: this.list(f.get('route_metadata'), `${path}.route_metadata`)
        .map(([x, p]) => this.routeMetadata(x, p))
        .filter((x): x is RouteMetadataAssert => x !== undefined),
    };
    for (const name of ['cluster_name', 'virtual_cluster_name', 'virtual_host_name', 'host_rewrite', 'path_rewrite', 'path_redirect'] as const) {
      const s = this.str(f.get(name), `${path}.${name}`, true);
      if (s !== undefined) a[name] = s;
    }
    const code = this.uint(f.get('code_redirect'), `${path}.code_redirect`, true);
    if (code !== undefined) a.code_redirect = code;
    const timeout = this.duration(f.get('timeout'), `${path}.timeout`);
    if (timeout !== undefined) a.timeout = timeout;
    return a;
  }

  routeMetadata(v: JsonValue, path: string): RouteMetadataAssert | undefined {
    const f = this.fields(v, path, ['namespace', 'key', 'value']);
    if (!f) return undefined;
    return {
      namespace: this.str(f.get('namespace'), `${path}.namespace`) ?? '',
      key: this.str(f.get('key'), `${path}.key`) ?? '',
      value: this.str(f.get('value'), `${path}.value`) ?? '',
    };
  }

  /** `google.protobuf.Duration`: "1.5s" (JSON/YAML) or `{seconds, nanos}` (text proto). In ms. */
  duration(v: JsonValue | undefined, path: string): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      const m = /^(-?[0-9]+)(?:\.([0-9]{1,9}))?s$/.exec(v);
      if (!m) {
        this.err(path, `bad Duration ${JSON.stringify(v)} (expected a number of seconds with an "s" suffix, e.g. "1.5s")`);
        return undefined;
      }
      const frac = (m[2] ?? '').padEnd(9, '0');
      const sign = m[1]!.startsWith('-') ? -1 : 1;
      return Number(m[1]) * 1000 + (sign * Number(frac)) / 1e6;
    }
    if (isObj(v)) {
      const f = this.fields(v, path, ['seconds', 'nanos']);
      if (!f) return undefined;
      const s = this.int64(f.get('seconds') ?? 0, `${path}.seconds`) ?? 0n;
      const n = this.int64(f.get('nanos') ?? 0, `${path}.nanos`) ?? 0n;
      return Number(s) * 1000 + Number(n) / 1e6;
    }
    this.err(path, `expected a Duration, found ${kind(v)}`);
    return undefined;
  }

  regex(v: JsonValue | undefined, path: string): RegexMatcher | undefined {
    const f = this.fields(v, path, ['regex', 'google_re2']);
    if (!f) return undefined;
    return { regex: this.str(f.get('regex'), `${path}.regex`) ?? '' };
  }

  stringMatcher(v: JsonValue | undefined, path: string): StringMatcher | undefined {
    const f = this.fields(v, path, ['exact', 'prefix', 'suffix', 'contains', 'safe_regex', 'ignore_case']);
    if (!f) return undefined;
    const m: StringMatcher = {};
    for (const k of ['exact', 'prefix', 'suffix', 'contains'] as const) {
      const s = this.str(f.get(k), `${path}.${k}`);
      if (s !== undefined) m[k] = s;
    }
    if (f.has('safe_regex')) {
      const r = this.regex(f.get('safe_regex'), `${path}.safe_regex`);
      if (r) m.safe_regex = r;
    }
    const ic = this.bool(f.get('ignore_case'), `${path}.ignore_case`);
    if (ic !== undefined) m.ignore_case = ic;
    return m;
  }

  headerMatcher(v: JsonValue, path: string): HeaderMatcher | undefined {
    const f = this.fields(v, path, [
      'name',
      'exact_match',
      'safe_regex_match',
      'range_match',
      'present_match',
      'prefix_match',
      'suffix_match',
      'contains_match',
      'string_match',
      'invert_match',
      'treat_missing_header_as_empty',
    ]);
    if (!f) return undefined;
    const name = this.str(f.get('name'), `${path}.name`) ?? '';
    if (name === '') this.err(`${path}.name`, 'value length must be at least 1 byte');
    const h: HeaderMatcher = { name };
    for (const k of ['exact_match', 'prefix_match', 'suffix_match', 'contains_match'] as const) {
      const s = this.str(f.get(k), `${path}.${k}`);
      if (s !== undefined) h[k] = s;
    }
    if (f.has('safe_regex_match')) {
      const r = this.regex(f.get('safe_regex_match'), `${path}.safe_regex_match`);
      if (r) h.safe_regex_match = r;
    }
    if (f.has('range_match')) {
      const rf = this.fields(f.get('range_match'), `${path}.range_match`, ['start', 'end']);
      if (rf) {
        h.range_match = {
          start: this.int64(rf.get('start') ?? 0, `${path}.range_match.start`) ?? 0n,
          end: this.int64(rf.get('end') ?? 0, `${path}.range_match.end`) ?? 0n,
        };
      }
    }
    if (f.has('string_match')) {
      const sm = this.stringMatcher(f.get('string_match'), `${path}.string_match`);
      if (sm) h.string_match = sm;
    }
    for (const k of ['present_match', 'invert_match', 'treat_missing_header_as_empty'] as const) {
      const b = this.bool(f.get(k), `${path}.${k}`);
      if (b !== undefined) h[k] = b;
    }
    const specifiers = ['exact_match', 'safe_regex_match', 'range_match', 'present_match', 'prefix_match', 'suffix_match', 'contains_match', 'string_match'].filter((k) => f.has(k));
    if (specifiers.length > 1) this.err(path, `only one header match specifier may be set, found ${specifiers.join(', ')}`);
    return h;
  }
}

function kind(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'bigint') return 'a number';
  if (typeof v === 'object') return 'a message';
  return `a ${typeof v}`;
}
