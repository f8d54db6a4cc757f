/**
 * The flags `match` and `explain` share. Kept apart from query.ts so registering the commands
 * loads nothing heavy.
 */
import { Option, type Command } from 'commander';

/** Flags of `match` and `explain`, as commander parses them. */
export interface QueryFlags {
  /** `-c/--config` or Envoy's `--config-path`; `-` reads standard input. */
  config?: string;
  configPath?: string;
  /** `--route-config NAME`: the route configuration to route with (a dump holds many). */
  routeConfig?: string;
  host?: string;
  path?: string;
  method: string;
  header: string[];
  scheme: string;
  random: string;
  listener?: string;
  port?: string;
  type?: 'bootstrap' | 'route' | 'config_dump';
  json?: boolean;
  remoteAddress?: string;
  sourceIp?: string;
  sni?: string;
  alpn?: string;
  destIp?: string;
  destPort?: string;
  originalDst?: string;
  /** `--admin URL`: read the config and live cluster state from a running tsproxy or Envoy. */
  admin?: string;
}

/** Adds the request flags shared by match and explain. */
export function addQueryOptions(cmd: Command): Command {
  cmd.hook('preAction', (c) => {
    // Envoy's spelling (`--config-path`) and ours (`-c/--config`) are one option.
    const o = c.opts<QueryFlags>();
    if (o.config === undefined && o.configPath !== undefined) c.setOptionValue('config', o.configPath);
    if (c.opts<QueryFlags>().config === undefined && o.admin === undefined) c.error("error: required option '-c, --config <file>' (or --admin <url>) not specified");
  });
  return cmd
    .option('-c, --config <file>', 'Envoy config: Bootstrap, RouteConfiguration, /config_dump or a list of resources (YAML or JSON); - reads stdin')
    .addOption(new Option('--config-path <file>', "alias of --config (Envoy's spelling)").conflicts('config'))
    .option('--route-config <name>', 'route with this route configuration (a config dump holds many: Istio "http.8080", "80", ...)')
    .option('--host <host>', 'Host / :authority of the request (omit for a request without one)')
    .requiredOption('--path <path>', ':path of the request, query string included')
    .option('--method <method>', ':method', 'GET')
    .option('-H, --header <header>', "request header 'name: value' (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--scheme <scheme>', 'http or https (https sets x-forwarded-proto and, with a tls_inspector, SNI)', 'http')
    .option('--random <n>', "random value for weighted clusters and runtime fractions (router_check's random_value)", '0')
    .addOption(new Option('--listener <name>', 'listener to use (Bootstrap or config dump)').conflicts('port'))
    .option('--port <n>', 'listener port to use (Bootstrap or config dump)')
    .addOption(new Option('--type <type>', 'force the config type').choices(['bootstrap', 'route', 'config_dump']))
    .option('--remote-address <ip>', 'downstream peer address: filter-chain source matching, x-forwarded-for and the internal/external decision of the connection manager (default 203.0.113.1, an external client)')
    .addOption(new Option('--source-ip <ip>', 'same as --remote-address').hideHelp())
    .option('--dest-ip <ip>', "the connection's destination (local) address, for filter-chain matching (default the listener's address when it is not a wildcard)")
    .option('--dest-port <n>', "the connection's destination (local) port, for filter-chain matching; picks the listener on that port when none is named (default the listener's port)")
    .option('--sni <name>', 'TLS server name (default: the Host without port, with --scheme https)')
    .option('--alpn <list>', 'comma-separated ALPN protocols for filter-chain matching')
    .option('--original-dst <ip:port>', 'destination before iptables REDIRECT: the accepting listener (--listener/--port, default the use_original_dst one) hands the connection off as serve does')
    .addOption(new Option('--admin <url>', 'read the config (/config_dump) and the live cluster state (/clusters, /stats) from a running tsproxy or Envoy admin API, e.g. http://127.0.0.1:9901').conflicts(['config', 'configPath']))
    .option('--json', 'print the documented JSON report (docs/json-schema.md)');
}

