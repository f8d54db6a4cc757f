/**
 * Metadata of the rules the config loader reports (`schema/*`, `config/limit`): lint does not run
 * them, but `--list-rules`, the docs and SARIF's rule table describe them like any other rule.
 */
import type { RuleMeta } from './rule_meta.js';

export const schemaRules: readonly RuleMeta[] = [
  {
    id: 'schema/syntax',
    severity: 'error',
    category: 'schema',
    summary: 'The file is not valid YAML or JSON.',
    help: 'Fix the syntax at the position the parser reports (indentation, an unclosed quote or bracket, a tab).',
    example: 'virtual_hosts: [ { name: a',
  },
  {
    id: 'schema/unknown-field',
    severity: 'error',
    category: 'schema',
    summary: 'A field the Envoy v3 message does not have.',
    help: 'Envoy rejects unknown fields. Fix the spelling (the message suggests the closest field) or move the field to the message it belongs to.',
    example: 'route: { clustr: backend }',
  },
  {
    id: 'schema/duplicate-field',
    severity: 'error',
    category: 'schema',
    summary: 'A field written twice (e.g. in snake_case and camelCase).',
    help: 'Envoy\'s JSON mapping accepts either spelling, but not both. Keep one.',
    example: 'route: { cluster: a, cluster: b }',
  },
  {
    id: 'schema/type',
    severity: 'error',
    category: 'schema',
    summary: 'A value of the wrong type (a list where a mapping is expected, a string for a number...).',
    help: 'Write the value with the type the Envoy field expects; the message names it.',
    example: 'domains: "*"',
  },
  {
    id: 'schema/enum',
    severity: 'error',
    category: 'schema',
    summary: 'An enum value Envoy does not know.',
    help: 'Use one of the enum\'s names; the message suggests the closest one.',
    example: 'lb_policy: ROUND_ROBBIN',
  },
  {
    id: 'schema/required',
    severity: 'error',
    category: 'schema',
    summary: 'A required field is missing or empty.',
    help: 'Add the field; Envoy\'s validation rules require it.',
    example: 'virtual_hosts: [{ name: a }]   # domains missing',
  },
  {
    id: 'schema/oneof',
    severity: 'error',
    category: 'schema',
    summary: 'Two members of one oneof are set.',
    help: 'Only one of a oneof group may be set (e.g. one of prefix/path/safe_regex in a RouteMatch). Remove the others.',
    example: 'match: { prefix: /a, path: /b }',
  },
  {
    id: 'schema/format',
    severity: 'error',
    category: 'schema',
    summary: 'A badly formatted value: a Duration, a Percent out of range, a type URL, base64 bytes.',
    help: 'Durations are strings like "1.5s"; Percent values lie in 0..100; type URLs look like type.googleapis.com/<message>.',
    example: 'timeout: 15',
  },
  {
    id: 'schema/unknown-type',
    severity: 'warning',
    category: 'schema',
    summary: 'A typed_config @type that Envoy\'s API does not define (a typo, a custom Envoy build, Wasm).',
    help: 'Envoy rejects a type it was not built with. A custom build (ESPv2, Istio\'s proxy) may define it: tsproxy keeps it raw and answers without it. Otherwise fix the spelling (the message suggests the closest Envoy type) and the API version (v3).',
    example: 'typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.routr.v3.Router }',
  },
  {
    id: 'schema/deprecated',
    severity: 'warning',
    category: 'schema',
    summary: 'A field Envoy has deprecated.',
    help: 'It still loads, but Envoy will remove it; the message names the replacement.',
    example: 'header matcher: { name: x, exact_match: y }',
  },
  {
    id: 'config/shape',
    severity: 'error',
    category: 'schema',
    summary: 'The file is not an Envoy v3 config: a Kubernetes manifest, an Envoy v2 config, Envoy Gateway IR...',
    help: 'The message says what the file is and how to get the Envoy config from it (egctl x translate, istioctl proxy-config, the proxy\'s /config_dump).',
    example: 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute',
  },
  {
    id: 'config/limit',
    severity: 'error',
    category: 'schema',
    summary: 'The file exceeds a safety limit: over 64 MiB, an alias bomb, or absurd nesting.',
    help: 'tsproxy refuses such files rather than running out of memory. Split the config or remove the alias expansion.',
    example: 'a: &a [*a, *a, ...]',
  },
];

/** Loader findings about tsproxy rather than the config (category `tsproxy`, concerns.ts). */
export const tsproxySchemaRules: readonly RuleMeta[] = [
  {
    id: 'schema/unsupported',
    severity: 'warning',
    category: 'tsproxy',
    summary: 'A known Envoy feature tsproxy does not implement yet.',
    help: 'The config is valid for Envoy, but tsproxy ignores the feature named in the message; offline answers may differ from Envoy\'s there.',
    example: 'retry_policy: { retry_priority: { name: envoy.retry_priorities.previous_priorities } }',
  },
  {
    id: 'schema/not-modelled',
    severity: 'info',
    category: 'tsproxy',
    summary: 'An Envoy type tsproxy does not model: accepted, its fields are not checked.',
    help: 'The type is Envoy\'s (from its extension catalogue), so the config is valid; tsproxy does not decode its fields. Offline answers do not account for what it does (an RBAC filter\'s denials, a Lua script); serve refuses what it cannot run unless is_optional.',
    example: 'typed_per_filter_config: { envoy.filters.http.lua: { "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute } }',
  },
];
