/**
 * The `--json` output of `tsproxy match` and `tsproxy explain`: plain JSON data, documented in
 * docs/json-schema.md. Stable: fields are only ever added; names are snake_case like Envoy's.
 * Every position is `{file, line, col}` (1-based) or null when unknown.
 */
import type { LoadedConfig } from '../../config/types.js';

export interface PositionJson {
  file: string;
  line: number;
  col: number;
}

/** The request replayed, as the route table saw it (after the connection manager's normalisation and header mutation). */
export interface RequestJson {
  authority: string | null;
  path: string;
  method: string;
  scheme: string;
  headers: Record<string, string>;
  random_value: number;
}

export interface FilterChainStepJson {
  criterion: string;
  connection_value: string;
  remaining: number[];
  dropped: number[];
}

/** `--original-dst`: how the connection reached the listener (Envoy's original destination hand-off). */
export interface OriginalDstJson {
  /** The destination before iptables REDIRECT, as Envoy prints it (`10.0.0.1:80`, `[fd00::1]:80`). */
  address: string;
  /** The listener iptables redirected the connection to. */
  accepting_listener: { name: string | null; index: number; address: string; reason: string };
  /** `hand_off` (use_original_dst), `restore` (original_dst listener filter only), `none`. */
  mode: 'hand_off' | 'restore' | 'none';
  /** How the serving listener was found; `not_read` when the accepting listener reads no original destination. */
  match: 'exact' | 'wildcard' | 'accepting' | 'no_hand_off' | 'not_read';
  /** The addresses looked up, in order, with the listener found there (-1: none). */
  lookups: { address: string; listener_index: number }[];
  reason: string;
}

export interface ListenerJson {
  name: string | null;
  index: number;
  address: string;
  reason: string;
  position: PositionJson | null;
  /** Present with `--original-dst` only. */
  original_dst?: OriginalDstJson;
  filter_chain: {
    name: string | null;
    /** Index in filter_chains; -1 for default_filter_chain. */
    index: number;
    is_default: boolean;
    reason: string;
    steps: FilterChainStepJson[];
  } | null;
  /**
   * The listener's `filter_chain_matcher`, when it has one (then `filter_chain.steps` is empty:
   * Envoy ignores `filter_chain_match`); absent otherwise.
   */
  filter_chain_matcher?: FilterChainMatcherJson;
}

/** How a listener's `filter_chain_matcher` chose (or failed to choose) a filter chain. */
export interface FilterChainMatcherJson {
  /** The `name` of the action taken; null when nothing matched. */
  action: string | null;
  /** The filter chain name the action carries (a `google.protobuf.StringValue`); null when none. */
  chain: string | null;
  /** Every decision in order: the path below the listener, in words, where it is in the file. */
  steps: { path: string; text: string; position: PositionJson | null }[];
}

export interface ConnectionManagerJson {
  stat_prefix: string;
  route_config_source: 'inline' | 'rds' | 'scoped_routes' | 'none';
  route_config_name: string | null;
  strip_matching_host_port: boolean;
  strip_any_host_port: boolean;
  position: PositionJson | null;
  /** What the connection manager did to the request before routing (core decodeRequestHeaders); null when no request reached it. */
  request_handling: RequestHandlingJson | null;
}

/** One request header the connection manager set, changed or removed (null: absent). */
export interface HeaderChangeJson {
  name: string;
  before: string | null;
  after: string | null;
}

/** The connection manager's request handling, as serve applies it (core/hcm_request.ts). */
export interface RequestHandlingJson {
  /** The downstream peer assumed (`--remote-address`, default an external 203.0.113.1). */
  remote_address: string;
  /** Downstream TLS (`--scheme https`). */
  tls: boolean;
  /** The HCM settings in force, Envoy's defaults and runtime overrides applied. */
  settings: {
    normalize_path: boolean;
    merge_slashes: boolean;
    path_with_escaped_slashes_action: 'KEEP_UNCHANGED' | 'REJECT_REQUEST' | 'UNESCAPE_AND_REDIRECT' | 'UNESCAPE_AND_FORWARD';
    use_remote_address: boolean;
    xff_num_trusted_hops: number;
    skip_xff_append: boolean;
    /** `none` (Envoy's default: no address is internal), `classic_ranges` (RFC 1918 ...), `cidr_ranges`. */
    internal_address_config: 'none' | 'classic_ranges' | 'cidr_ranges';
    via: string | null;
  };
  original_path: string;
  /** The path routed and forwarded (normalised). */
  path: string;
  /** Each normalisation that changed the path, in Envoy's order. */
  path_steps: { op: 'unescape_slashes' | 'normalize_path' | 'merge_slashes'; before: string; after: string }[];
  original_authority: string | null;
  authority: string | null;
  header_changes: HeaderChangeJson[];
  /** Internal (trusted) request; null when a local reply came first. */
  internal: boolean | null;
  /** External request under use_remote_address; null when a local reply came first. */
  edge: boolean | null;
  /** The connection manager's own reply instead of routing (also in `outcome`). */
  local_reply: { status: number; details: string; stat: string | null; location: string | null; protocol_error: boolean } | null;
}

export interface WeightedJson {
  clusters: { name: string; weight: number; cluster_header: string | null }[];
  total_weight: number;
  value: number;
  value_source: 'random' | 'header';
  selector: number;
  picked_index: number;
}

export interface ClusterJson {
  /** "" when a cluster_header was missing. */
  name: string;
  specifier: 'cluster' | 'cluster_header' | 'weighted_clusters' | 'unsupported';
  header: string | null;
  weighted: WeightedJson | null;
  /** Whether the config defines the cluster; null for a bare RouteConfiguration (not checked). */
  defined: boolean | null;
  /** Number of static endpoints, null when unknown offline (EDS, bare route config). */
  endpoints: number | null;
}

export interface RetryPolicyJson {
  retry_on: string | null;
  num_retries: number;
  per_try_timeout_ms: number | null;
  retriable_status_codes: number[];
  retry_back_off: { base_interval_ms: number; max_interval_ms: number };
}

export interface MirrorPolicyJson {
  cluster: string | null;
  cluster_header: string | null;
  /** `numerator/DENOMINATOR`, or null when it always mirrors. */
  runtime_fraction: string | null;
  runtime_key: string | null;
}

export interface ActionJson {
  kind: 'route' | 'redirect' | 'direct_response' | 'no_route';
  cluster: ClusterJson | null;
  /** Final :path and :authority after rewrites (forward only). */
  path: string | null;
  host: string | null;
  original_path: string;
  original_host: string | null;
  timeout_ms: number | null;
  idle_timeout_ms: number | null;
  retry_policy: RetryPolicyJson | null;
  mirror_policies: MirrorPolicyJson[];
  hash_policies: string[];
  virtual_cluster: string | null;
  /**
   * Upstream request headers the route changes (request_headers_to_add/remove of the weighted
   * cluster, route, virtual host and route configuration, plus x-envoy-original-path): `set`
   * with the final value, or `remove`.
   */
  request_header_changes: { op: 'set' | 'remove'; name: string; value: string | null }[];
  /** Redirect: the Location; direct response: null. */
  location: string | null;
  status: number | null;
  body: string | null;
}

export interface HttpFilterJson {
  name: string;
  /** What the filter is, in words: `router`, `external authorization (ext_authz)`. */
  description: string;
  type: string | null;
  /** `runs`, `disabled` (by the HCM or this route), `unsupported` (tsproxy cannot run it). */
  status: 'runs' | 'disabled' | 'unsupported';
  supported: boolean;
  optional: boolean;
  /** typed_per_filter_config for this filter on the decision (route > vhost > route config). */
  per_route_config: Record<string, unknown> | null;
  note: string | null;
}

export interface OutcomeJson {
  /** HTTP status Envoy sends locally; null when the request is forwarded upstream. */
  status: number | null;
  /** Response flag (`NR`, `NC`, `UH`, `UO`), `-` for none. */
  response_flag: string;
  /** %RESPONSE_CODE_DETAILS%: `route_not_found`, `cluster_not_found`, `via_upstream`, ... */
  details: string;
  /** Stats that move, with Envoy's names. */
  stats: string[];
  /** One sentence. */
  summary: string;
}

export interface TraceStepJson {
  kind: string;
  name: string;
  index: number;
  matched: boolean;
  reason: string;
  predicate: string | null;
  near_miss: string | null;
  position: PositionJson | null;
}

export interface NearMissJson {
  kind: 'host_port' | 'path_case' | 'trailing_slash' | 'header_absent' | 'regex_partial' | 'no_wildcard_virtual_host' | 'core';
  message: string;
  position: PositionJson | null;
}

/** `tsproxy match --json`. */
export interface MatchReport {
  schema: 'tsproxy.match/v1';
  config: { file: string; kind: LoadedConfig['kind'] };
  request: RequestJson;
  listener: ListenerJson | null;
  connection_manager: ConnectionManagerJson | null;
  route_configuration: { name: string | null; position: PositionJson | null } | null;
  matched: boolean;
  virtual_host: { name: string; index: number; position: PositionJson | null } | null;
  route: { name: string | null; index: number; label: string; position: PositionJson | null } | null;
  action: ActionJson;
  http_filters: HttpFilterJson[];
  outcome: OutcomeJson;
  /** Things worth knowing that are not errors (assumptions made offline). */
  notes: string[];
}

/** `tsproxy explain --json`: the match report plus the decision chain. */
export interface ExplainReport extends Omit<MatchReport, 'schema'> {
  schema: 'tsproxy.explain/v1';
  steps: TraceStepJson[];
  near_misses: NearMissJson[];
  /**
   * Later routes of the chosen virtual host that would also match this request: never reached
   * for it, because the matched route comes first (Envoy stops at the first match).
   */
  unreached_routes: UnreachedRouteJson[];
}

/** A route that matches the request but comes after the route that took it. */
export interface UnreachedRouteJson {
  name: string | null;
  index: number;
  label: string;
  /** How it would match, in words: `matched prefix "/api/v2"`. */
  reason: string;
  position: PositionJson | null;
}
