/**
 * Reads a router_check test file in any syntax Envoy's tool takes: JSON (a trailing comma
 * tolerated), YAML, or protobuf text format. The syntax follows the file extension as in Envoy
 * (`.json`, `.yaml`/`.yml`, `.pb_text`/`.textproto`/`.txtpb`/`.pbtxt`); an unknown extension
 * is sniffed. Pure: the CLI reads the file and passes its text.
 */
import { MAX_ALIAS_EXPANSION_NODES } from '../../config/defaults.js';
import { scanJson } from '../../config/json_source.js';
import { parseYamlSource } from '../../config/yaml_source.js';
import { LineIndex, toJsonValue, type JsonValue } from '../../config/source.js';
import { decodeSpec } from './decode_spec.js';
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
/** Nesting deeper than this is refused (a test file is a few levels deep). */
const MAX_TEST_FILE_DEPTH = 512;

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
  // A BOM is dropped, as the config loader does, so line 1's columns stay as editors show them.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: JsonValue | undefined;
  switch (fmt) {
    case 'json': {
      // The config loader's scanner (trailing commas accepted, as Envoy does).
      const r = scanJson(text, MAX_TEST_FILE_DEPTH);
      if (!r.ok) {
        const { line, col } = new LineIndex(text, fileName).lineCol(r.offset);
        return { format: fmt, errors: [`${fileName}:${line}:${col}: invalid JSON: ${r.message}`] };
      }
      root = toJsonValue(r.node);
      break;
    }
    case 'text_proto': {
      const r = parseTextProto(text);
      if (!r.ok) return { format: fmt, errors: [`${fileName}:${r.line}:${r.col}: invalid text proto: ${r.message}`] };
      root = textProtoToJson(r.message);
      break;
    }
    case 'yaml': {
      // The config loader's YAML front end (anchors, `<<` merges, alias and nesting budgets).
      const y = parseYamlSource(text, MAX_TEST_FILE_DEPTH, MAX_ALIAS_EXPANSION_NODES);
      const problems = y.problems.filter((p) => p.severity === 'error');
      if (!y.node || problems.length) {
        const lines = new LineIndex(text, fileName);
        return {
          format: fmt,
          errors: problems.length
            ? problems.map((p) => {
                const { line, col } = lines.lineCol(p.start);
                return `${fileName}:${line}:${col}: ${p.rule === 'schema/syntax' ? 'invalid YAML: ' : ''}${p.message}`;
              })
            : [`${fileName}: invalid YAML`],
        };
      }
      root = toJsonValue(y.node);
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
