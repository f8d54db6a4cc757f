/**
 * Compiled request/response header mutations (Envoy's Router::HeaderParser): the
 * `*_headers_to_add` / `*_headers_to_remove` of a route, weighted cluster, virtual host and route
 * configuration, compiled once into groups applied in Envoy's order. Pure.
 *
 * Applying mutates a node-style header object (lowercase names; repeated values as arrays). A
 * route without mutations gets the shared `NO_HEADER_MUTATIONS`, whose `empty` flag lets the
 * caller skip the call entirely: no allocation on the hot path.
 */
import type { HeaderAppendAction, HeaderValueOption } from '../config/types.js';
import { parseHeaderFormatter, type HeaderFormatter, type FormatterContext } from './formatter.js';
import { report, type CompileContext } from './compile_context.js';

/** One `HeaderValueOption`, compiled. */
export interface HeaderAddition {
  /** Lowercased header name. */
  readonly key: string;
  readonly value: HeaderFormatter;
  /** Effective action: `append_action`, or `append` (deprecated; default true = APPEND_IF_EXISTS_OR_ADD). */
  readonly action: HeaderAppendAction;
  /** `keep_empty_value`: add the header even when the formatted value is empty (default false). */
  readonly keepEmptyValue: boolean;
}

/** The mutations of one level (route, weighted cluster, vhost or route configuration). */
export interface HeaderMutationGroup {
  /** `*_headers_to_remove`, lowercased; applied before this group's additions (Envoy: remove-before-add). */
  readonly remove: readonly string[];
  readonly add: readonly HeaderAddition[];
}

/** All mutations for one direction, groups in evaluation order (later groups win on overwrite). */
export interface HeaderMutations {
  readonly empty: boolean;
  readonly groups: readonly HeaderMutationGroup[];
}

/** Shared empty mutation list (fast path: `if (!m.empty) applyHeaderMutations(...)`). */
export const NO_HEADER_MUTATIONS: HeaderMutations = Object.freeze({ empty: true, groups: Object.freeze([]) as readonly HeaderMutationGroup[] });

/** A mutable node-style header object. */
export type MutableHeaders = Record<string, string | string[] | number | undefined>;

/** Builds a HeaderMutations from groups in evaluation order, dropping empty groups. */
export function makeHeaderMutations(groups: readonly (HeaderMutationGroup | undefined)[]): HeaderMutations {
  let kept: HeaderMutationGroup[] | undefined;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g !== undefined && (g.remove.length > 0 || g.add.length > 0)) (kept ??= []).push(g);
  }
  return kept === undefined ? NO_HEADER_MUTATIONS : { empty: false, groups: kept };
}

/**
 * The mutations of one direction for a route or a weighted cluster, in Envoy's getHeaderParsers
 * order: `own` (a weighted cluster's own groups, applied first; undefined for a route), then the
 * route's, the virtual host's and the route configuration's, those three reversed when
 * `most_specific_header_mutations_wins`. The shared NO_HEADER_MUTATIONS when none is set (no
 * allocation per route for the common case).
 */
export function levelHeaderMutations(
  own: HeaderMutationGroup | undefined,
  route: HeaderMutationGroup | undefined,
  vhost: HeaderMutationGroup | undefined,
  rc: HeaderMutationGroup | undefined,
  mostSpecificWins: boolean,
): HeaderMutations {
  if (own === undefined && route === undefined && vhost === undefined && rc === undefined) return NO_HEADER_MUTATIONS;
  return makeHeaderMutations(mostSpecificWins ? [own, rc, vhost, route] : [own, route, vhost, rc]);
}

/**
 * Applies `mutations` onto `headers` in place, as Envoy's HeaderParser::evaluateHeaders does for
 * each level: remove the listed headers, then add each value per its append action. A value that
 * formats to "" is skipped unless keep_empty_value. Appended values become arrays (a separate
 * header line each, as Envoy adds a separate entry).
 */
export function applyHeaderMutations(mutations: HeaderMutations, headers: MutableHeaders, ctx: FormatterContext): void {
  if (mutations.empty) return;
  for (const g of mutations.groups) {
    for (const name of g.remove) delete headers[name];
    for (const a of g.add) {
      const value = a.value.format(ctx);
      if (value === '' && !a.keepEmptyValue) continue;
      const existing = headers[a.key];
      const present = existing !== undefined;
      switch (a.action) {
        case 'APPEND_IF_EXISTS_OR_ADD':
          if (!present) headers[a.key] = value;
          else if (Array.isArray(existing)) existing.push(value);
          else headers[a.key] = [String(existing), value];
          break;
        case 'ADD_IF_ABSENT':
          if (!present) headers[a.key] = value;
          break;
        case 'OVERWRITE_IF_EXISTS_OR_ADD':
          headers[a.key] = value;
          break;
        case 'OVERWRITE_IF_EXISTS':
          if (present) headers[a.key] = value;
          break;
      }
    }
  }
}

/**
 * Compiles one level's `*_headers_to_add` / `*_headers_to_remove` (Envoy's
 * HeaderParser::configure), reporting what Envoy rejects: pseudo-headers and `host` may not be
 * removed or (pseudo-headers) added; `append` together with `append_action`; bad formatters.
 */
export function compileHeaderMutationGroup(
  add: readonly HeaderValueOption[] | undefined,
  remove: readonly string[] | undefined,
  ctx: CompileContext,
  path: string,
  addField: string,
  removeField: string,
): HeaderMutationGroup | undefined {
  if ((add === undefined || add.length === 0) && (remove === undefined || remove.length === 0)) return undefined;
  // Indexed loops, no callbacks: a closure here would make every call allocate a context, also
  // for the common route without mutations.
  const additions: HeaderAddition[] = [];
  for (let i = 0; add !== undefined && i < add.length; i++) {
    const hvo = add[i]!;
    const p = `${path}.${addField}[${i}]`;
    const key = (hvo.header?.key ?? '').toLowerCase();
    // Envoy's HeaderParser::configure via HeaderUtility::isModifiableHeader.
    if (key.startsWith(':') || key === 'host') {
      report(ctx, 'error', 'route/invalid-header-mutation', ':-prefixed or host headers may not be modified', `${p}.header.key`, hvo.header ?? hvo, 'key');
      continue;
    }
    if (hvo.append !== undefined && hvo.append_action !== undefined) {
      report(ctx, 'error', 'route/invalid-header-mutation', "Both append and append_action are set and it's not allowed", p, hvo, 'append');
      continue;
    }
    const action: HeaderAppendAction = hvo.append_action ?? (hvo.append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD');
    const raw = hvo.header?.value ?? hvo.header?.raw_value ?? '';
    const f = parseHeaderFormatter(raw);
    if (!f.ok) {
      report(ctx, 'error', 'route/invalid-header-formatter', f.error, `${p}.header.value`, hvo.header ?? hvo, 'value');
      continue;
    }
    for (const cmd of f.unsupported) {
      report(ctx, 'warning', 'unsupported/formatter-command', `%${cmd}% is a valid Envoy command that tsproxy does not evaluate; it formats as ""`, `${p}.header.value`, hvo.header ?? hvo, 'value');
    }
    additions.push({ key, value: f.formatter, action, keepEmptyValue: hvo.keep_empty_value === true });
  }
  const removals: string[] = [];
  for (let i = 0; remove !== undefined && i < remove.length; i++) {
    const n = remove[i]!.toLowerCase();
    if (n.startsWith(':') || n === 'host') {
      report(ctx, 'error', 'route/invalid-header-mutation', ":-prefixed or host headers may not be removed", `${path}.${removeField}[${i}]`, remove, undefined);
      continue;
    }
    removals.push(n);
  }
  return { remove: removals, add: additions };
}
