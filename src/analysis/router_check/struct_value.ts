/**
 * `google.protobuf.Struct` / `Value` from parsed test files as plain JSON: JSON and YAML write a
 * Struct as an object; text proto writes its message form
 * (`fields { key: "k" value { string_value: "v" } }`). Pure.
 */
import type { JsonValue } from '../../config/source.js';

type Obj = { [key: string]: JsonValue };

function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v !== 'bigint';
}

/** JSON-like value to plain JS (bigint to number when safe, else string). */
export function toPlain(v: JsonValue): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (isObj(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toPlain(x);
    return o;
  }
  return v;
}

/**
 * A `google.protobuf.Struct` as plain JSON. Text proto writes Structs in their message form
 * (`fields { key: "k" value { string_value: "v" } }`); that form is unwrapped here.
 */
export function structFrom(v: Obj): Record<string, unknown> {
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'fields') {
    const entries = Array.isArray(v.fields) ? v.fields : [v.fields];
    if (entries.every((e) => isObj(e) && 'key' in e)) {
      const out: Record<string, unknown> = {};
      for (const e of entries as Obj[]) out[String(e.key)] = valueFrom(e.value);
      return out;
    }
  }
  return toPlain(v) as Record<string, unknown>;
}

function valueFrom(v: JsonValue | undefined): unknown {
  if (!isObj(v)) return v === undefined ? null : toPlain(v);
  if ('string_value' in v) return v.string_value;
  if ('number_value' in v) return toPlain(v.number_value!);
  if ('bool_value' in v) return v.bool_value;
  if ('null_value' in v) return null;
  if ('struct_value' in v) return isObj(v.struct_value) ? structFrom(v.struct_value) : {};
  if ('list_value' in v) {
    const lv = v.list_value;
    const values = isObj(lv) ? lv.values : undefined;
    return (Array.isArray(values) ? values : values === undefined ? [] : [values]).map(valueFrom);
  }
  return toPlain(v);
}
