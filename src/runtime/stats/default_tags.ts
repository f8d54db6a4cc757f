/**
 * Envoy's default tag extractors (source/common/config/well_known_names.{h,cc}, TagNameValues),
 * in Envoy's order: RE2 regexes whose first capture group is removed from the stat name and whose
 * second is the tag value, and token patterns (`cluster.$.**`: `$` is the value, `*` one token,
 * `**` any number). With `stats_config.use_all_default_tags` (default true) they all run, so
 * `cluster.web.upstream_rq_200` becomes `cluster.upstream_rq` with
 * `envoy.cluster_name="web"`, `envoy.response_code="200"`.
 */

/** Tag names (Config::TagNames). */
export const TagNames = {
  CLUSTER_NAME: 'envoy.cluster_name',
  LISTENER_ADDRESS: 'envoy.listener_address',
  HTTP_CONN_MANAGER_PREFIX: 'envoy.http_conn_manager_prefix',
  HTTP_USER_AGENT: 'envoy.http_user_agent',
  SSL_CIPHER: 'envoy.ssl_cipher',
  SSL_CURVE: 'envoy.ssl_curve',
  SSL_SIGALG: 'envoy.ssl_sigalg',
  SSL_VERSION: 'envoy.ssl_version',
  SSL_CIPHER_SUITE: 'cipher_suite',
  CLIENTSSL_PREFIX: 'envoy.clientssl_prefix',
  MONGO_PREFIX: 'envoy.mongo_prefix',
  MONGO_CMD: 'envoy.mongo_cmd',
  MONGO_COLLECTION: 'envoy.mongo_collection',
  MONGO_CALLSITE: 'envoy.mongo_callsite',
  RATELIMIT_PREFIX: 'envoy.ratelimit_prefix',
  LOCAL_HTTP_RATELIMIT_PREFIX: 'envoy.local_http_ratelimit_prefix',
  LOCAL_NETWORK_RATELIMIT_PREFIX: 'envoy.local_network_ratelimit_prefix',
  LOCAL_LISTENER_RATELIMIT_PREFIX: 'envoy.local_listener_ratelimit_prefix',
  DNS_FILTER_PREFIX: 'envoy.dns_filter_prefix',
  TCP_PREFIX: 'envoy.tcp_prefix',
  UDP_PREFIX: 'envoy.udp_prefix',
  FAULT_DOWNSTREAM_CLUSTER: 'envoy.fault_downstream_cluster',
  DYNAMO_OPERATION: 'envoy.dynamo_operation',
  DYNAMO_TABLE: 'envoy.dynamo_table',
  DYNAMO_PARTITION_ID: 'envoy.dynamo_partition_id',
  GRPC_BRIDGE_SERVICE: 'envoy.grpc_bridge_service',
  GRPC_BRIDGE_METHOD: 'envoy.grpc_bridge_method',
  VIRTUAL_HOST: 'envoy.virtual_host',
  VIRTUAL_CLUSTER: 'envoy.virtual_cluster',
  RESPONSE_CODE: 'envoy.response_code',
  RESPONSE_CODE_CLASS: 'envoy.response_code_class',
  RDS_ROUTE_CONFIG: 'envoy.rds_route_config',
  ROUTE: 'envoy.route',
  EXT_AUTHZ_PREFIX: 'envoy.ext_authz_prefix',
  WORKER_ID: 'envoy.worker_id',
  THRIFT_PREFIX: 'envoy.thrift_prefix',
  REDIS_PREFIX: 'envoy.redis_prefix',
} as const;

/** A regex extractor (TagNameValues::Descriptor): RE2, partial match. */
export interface RegexTagDescriptor {
  readonly name: string;
  readonly regex: string;
  /** The name must contain this to be tried (a cheap pre-filter). */
  readonly substr: string;
  /** A value that is never extracted (`listener.admin.` keeps its `admin`). */
  readonly negativeMatch: string;
}

/** A token-pattern extractor (TagNameValues::TokenizedDescriptor). */
export interface TokenTagDescriptor {
  readonly name: string;
  readonly pattern: string;
}

const TAG_VALUE = String.raw`[^\.]+`;
const EXPANSIONS: ReadonlyArray<[string, string]> = [
  ['<ADDRESS>', String.raw`(?:(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[[a-fA-F_\d]+\])_\d+)`],
  ['<CIPHER>', String.raw`[\w-]+`],
  ['<TLS_VERSION>', String.raw`TLSv\d\.\d`],
  ['<TAG_VALUE>', TAG_VALUE],
  ['<ROUTE_CONFIG_NAME>', String.raw`[\w-\.]+`],
  ['<LISTENER_OR_CLUSTER_WITH_NAME>', String.raw`(?:listener|cluster)\..*?`],
];

function expand(regex: string): string {
  let out = regex;
  for (const [k, v] of EXPANSIONS) out = out.split(k).join(v);
  return out;
}

const re = (name: string, regex: string, substr = '', negativeMatch = ''): RegexTagDescriptor => ({
  name,
  regex: expand(regex),
  substr,
  negativeMatch,
});
const tok = (name: string, pattern: string): TokenTagDescriptor => ({ name, pattern });
const N = TagNames;

/** The RE2 descriptors, in Envoy's order. */
export const DEFAULT_REGEX_TAGS: readonly RegexTagDescriptor[] = [
  re(N.RESPONSE_CODE, String.raw`_rq(_(\d{3}))$`, '_rq_'),
  re(N.RESPONSE_CODE_CLASS, String.raw`_rq_((\d))xx$`, '_rq_'),
  re(
    N.DYNAMO_PARTITION_ID,
    String.raw`^http\.<TAG_VALUE>\.dynamodb\.table\.<TAG_VALUE>\.capacity\.<TAG_VALUE>(\.__partition_id=(\w{7}))$`,
    '.dynamodb.table.',
  ),
  re(
    N.DYNAMO_OPERATION,
    String.raw`^http\.<TAG_VALUE>\.dynamodb.(?:operation|table\.<TAG_VALUE>\.capacity)(\.(<TAG_VALUE>))(?:\.|$)`,
    '.dynamodb.',
  ),
  re(N.DYNAMO_TABLE, String.raw`^http\.<TAG_VALUE>\.dynamodb.(?:table|error)\.((<TAG_VALUE>)\.)`, '.dynamodb.'),
  re(N.SSL_CIPHER, String.raw`^listener\..*?\.ssl\.ciphers(\.(<CIPHER>))$`, '.ssl.ciphers.'),
  re(N.SSL_CURVE, String.raw`^<LISTENER_OR_CLUSTER_WITH_NAME>\.ssl\.curves(\.(<CIPHER>))$`, '.ssl.curves.'),
  re(N.SSL_SIGALG, String.raw`^<LISTENER_OR_CLUSTER_WITH_NAME>\.ssl\.sigalgs(\.(<CIPHER>))$`, '.ssl.sigalgs.'),
  re(N.SSL_VERSION, String.raw`^<LISTENER_OR_CLUSTER_WITH_NAME>\.ssl\.versions(\.(<TLS_VERSION>))$`, '.ssl.versions.'),
  re(N.SSL_CIPHER_SUITE, String.raw`^cluster\.<TAG_VALUE>\.ssl\.ciphers(\.(<CIPHER>))$`, '.ssl.ciphers.'),
  re(N.HTTP_CONN_MANAGER_PREFIX, String.raw`^listener\..*?\.http\.((<TAG_VALUE>)\.)`, '.http.'),
  re(
    N.WORKER_ID,
    String.raw`^(?:listener\.(?:<ADDRESS>|<TAG_VALUE>)\.|server\.|listener_manager\.)worker_((\d+)\.)`,
  ),
  re(N.LISTENER_ADDRESS, String.raw`^listener\.((<ADDRESS>|<TAG_VALUE>)\.)`, '', 'admin'),
  re(N.RDS_ROUTE_CONFIG, String.raw`^http\.<TAG_VALUE>\.rds\.((<ROUTE_CONFIG_NAME>)\.)\w+?$`, '.rds.'),
];

/** The token descriptors, in Envoy's order. */
export const DEFAULT_TOKEN_TAGS: readonly TokenTagDescriptor[] = [
  tok(N.MONGO_CALLSITE, 'mongo.*.collection.*.callsite.$.query.**'),
  tok(N.MONGO_COLLECTION, 'mongo.*.collection.$.**.query.*'),
  tok(N.MONGO_CMD, 'mongo.*.cmd.$.**'),
  tok(N.GRPC_BRIDGE_METHOD, 'cluster.*.grpc.*.$.**'),
  tok(N.HTTP_USER_AGENT, 'http.*.user_agent.$.**'),
  tok(N.VIRTUAL_CLUSTER, 'vhost.*.vcluster.$.**'),
  tok(N.FAULT_DOWNSTREAM_CLUSTER, 'http.*.fault.$.**'),
  tok(N.GRPC_BRIDGE_SERVICE, 'cluster.*.grpc.$.**'),
  tok(N.TCP_PREFIX, 'tcp.$.**'),
  tok(N.UDP_PREFIX, 'udp.$.**'),
  tok(N.CLIENTSSL_PREFIX, 'auth.clientssl.$.**'),
  tok(N.RATELIMIT_PREFIX, 'ratelimit.$.**'),
  tok(N.CLUSTER_NAME, 'cluster.$.**'),
  tok(N.EXT_AUTHZ_PREFIX, 'cluster.*.ext_authz.$.**'),
  tok(N.EXT_AUTHZ_PREFIX, 'http.*.ext_authz.$.**'),
  tok(N.HTTP_CONN_MANAGER_PREFIX, 'http.$.**'),
  tok(N.VIRTUAL_HOST, 'vhost.$.**'),
  tok(N.MONGO_PREFIX, 'mongo.$.**'),
  tok(N.ROUTE, 'vhost.*.route.$.**'),
  tok(N.THRIFT_PREFIX, 'thrift.$.**'),
  tok(N.REDIS_PREFIX, 'redis.$.**'),
  tok(N.LOCAL_HTTP_RATELIMIT_PREFIX, '$.http_local_rate_limit.**'),
  tok(N.LOCAL_NETWORK_RATELIMIT_PREFIX, 'local_rate_limit.$.**'),
  tok(N.LOCAL_LISTENER_RATELIMIT_PREFIX, 'listener_local_ratelimit.$.**'),
  tok(N.DNS_FILTER_PREFIX, 'dns_filter.$.**'),
];
