/**
 * Reads a router_check test file in any syntax Envoy's tool takes: JSON (a trailing comma
 * tolerated), YAML, or protobuf text format. The syntax follows the file extension as in Envoy
 * (`.json`, `.yaml`/`.yml`, `.pb_text`/`.textproto`/`.txtpb`/`.pbtxt`); an unknown extension
 * is sniffed. Pure: the CLI reads the file and passes its text.
 */
import { LineCounter, parseDocument } from 'yaml';
import { decodeSpec } from './decode_spec.js';
import { parseLenientJson, type JsonValue } from './lenient_json.js';
import type { RouterCheckSpec, TestFileFormat } from './spec.js';
import { parseTextProto, textProtoToJson } from './text_proto.js';

export interface TestFileResult {
  spec?: RouterCheckSpec;
  format: TestFileFormat;
  /** Each error is one line: `file:line:col: message` or `file: $.path: message`. */
  errors: string[];
}

/** Test files larger than this are refused (the same 64 MiB limit as config files). */
const MAX_TEST_FILE_CHARS = 64 * 1024 * 1024;
/** At most this many YAML syntax errors are reported. */
const MAX_SYNTAX_ERRORS = 5;

function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return /Maximum call stack size exceeded/.test(first) ? 'nesting too deep' : first;
}

/** Picks the syntax from the file name, else from the content. */
export function detectTestFileFormat(fileName: string, text: string): TestFileFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (/\.(pb_text|textproto|txtpb|pbtxt|prototxt)$/.test(lower)) return 'text_proto';
  const trimmed = text.replace(/^(\s|#[^\n]*\n)*/, '');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'json';
  // `tests {` or `tests <` is text format; YAML would need `tests:`.
  if (/^[A-Za-z_][A-Za-z0-9_]*\s*[{<]/.test(trimmed)) return 'text_proto';
  return 'yaml';
}

/** Parses and decodes a test file. */
export function parseTestFile(text: string, fileName: string, format?: TestFileFormat): TestFileResult {
  const fmt = format ?? detectTestFileFormat(fileName, text);
  if (text.length > MAX_TEST_FILE_CHARS) {
    return { format: fmt, errors: [`${fileName}: the test file is ${text.length} characters, over the 64 MiB limit; refusing to read it`] };
  }
  let root: JsonValue | undefined;
  switch (fmt) {
    case 'json': {
      const r = parseLenientJson(text);
      if (!r.ok) return { format: fmt, errors: [`${fileName}:${r.line}:${r.col}: invalid JSON: ${r.message}`] };
      root = r.value;
      break;
    }
    case 'text_proto': {
      const r = parseTextProto(text);
      if (!r.ok) return { format: fmt, errors: [`${fileName}:${r.line}:${r.col}: invalid text proto: ${r.message}`] };
      root = textProtoToJson(r.message);
      break;
    }
    case 'yaml': {
      const lc = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lc, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
      if (doc.errors.length > 0) {
        // One broken bracket can cascade into hundreds of errors: the first few say it.
        return {
          format: fmt,
          errors: doc.errors.slice(0, MAX_SYNTAX_ERRORS).map((e) => {
            const p = lc.linePos(e.pos[0]);
            return `${fileName}:${p.line}:${p.col}: invalid YAML: ${yamlMessage(e.message)}`;
          }),
        };
      }
      try {
        root = fromYaml(doc.toJS({ maxAliasCount: 100 }));
      } catch (e) {
        return { format: fmt, errors: [`${fileName}: invalid YAML: ${yamlMessage(e instanceof Error ? e.message : String(e))}`] };
      }
      break;
    }
  }
  if (root === undefined || root === null) return { format: fmt, errors: [`${fileName}: the test file is empty`] };
  let d: ReturnType<typeof decodeSpec>;
  try {
    d = decodeSpec(root);
  } catch (e) {
    // Only a pathological nesting depth gets here (the recursion runs out of stack).
    return { format: fmt, errors: [`${fileName}: ${e instanceof RangeError ? 'nesting too deep' : String(e)}`] };
  }
  if (d.errors.length || !d.spec) return { format: fmt, errors: d.errors.map((e) => `${fileName}: ${e}`) };
  return { format: fmt, spec: d.spec, errors: [] };
}

/** YAML's JS values to JSON-like values (bigints kept, dates and other objects stringified). */
function fromYaml(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(fromYaml);
  if (v instanceof Map) {
    const o: { [k: string]: JsonValue } = {};
    for (const [k, x] of v) Object.defineProperty(o, String(k), { value: fromYaml(x), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (typeof v === 'object') {
    const o: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) Object.defineProperty(o, k, { value: fromYaml(x), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return String(v);
}
