/**
 * `/config_dump` (Envoy's ConfigDumpHandler): an `envoy.admin.v3.ConfigDump` with one section
 * per config tracker key in Envoy's (alphabetical) order — BootstrapConfigDump,
 * ClustersConfigDump, EndpointsConfigDump (`?include_eds`), ListenersConfigDump,
 * RoutesConfigDump — each resource packed as an Any with its `last_updated`.
 * `?resource=static_clusters` lists the elements of that repeated field, each an Any of its own
 * type; `?mask=` trims (inside the resource's Any with `resource`); `?name_regex=` (RE2, full
 * match) keeps resources whose name matches. The output is what `tsproxy match -c` reads.
 *
 * DEVIATION: the empty ScopedRoutesConfigDump and SecretsConfigDump sections Envoy always prints
 * are left out (tsproxy has neither).
 */
import type { Cluster, Listener, RouteConfiguration } from '../../config/types.js';
import type { MessageDescriptor } from '../../config/schema/descriptor.js';
import {
  BOOTSTRAP,
  BOOTSTRAP_CONFIG_DUMP,
  CLUSTERS_CONFIG_DUMP,
  ENDPOINTS_CONFIG_DUMP,
  LISTENERS_CONFIG_DUMP,
  ROUTES_CONFIG_DUMP,
} from '../../config/schema/bootstrap.js';
import { CLUSTER, CLUSTER_LOAD_ASSIGNMENT } from '../../config/schema/cluster.js';
import { LISTENER } from '../../config/schema/listener.js';
import { ROUTE_CONFIGURATION } from '../../config/schema/route.js';
import { compileRegex, regexFullMatch } from '../../core/regex.js';
import type { AdminHandler, AdminResponse, AdminServerContext } from './types.js';
import { clustersOf } from './clusters_handler.js';
import { encodeMessage, packAny } from './proto_json.js';
import { parseFieldMask, trimMessage, validPath } from './field_mask.js';
import { jsonResponse, prettyJson, textResponse } from './response.js';
import { queryParam } from './query.js';

interface Section {
  desc: MessageDescriptor;
  message: Record<string, unknown>;
}

const typeUrl = (d: MessageDescriptor): string => `type.googleapis.com/${d.name}`;

function elementDescriptor(desc: MessageDescriptor, field: string): MessageDescriptor | undefined {
  const f = desc.fields[field];
  return f && f.type.k === 'message' ? f.type.ref() : undefined;
}

function sections(ctx: AdminServerContext, nameMatches: (n: string) => boolean, includeEds: boolean): Section[] {
  const updated = new Date(ctx.startTime).toISOString();
  const config = ctx.config;
  const out: Section[] = [];
  if (config.bootstrap) {
    out.push({ desc: BOOTSTRAP_CONFIG_DUMP, message: { bootstrap: encodeMessage(config.bootstrap, BOOTSTRAP), last_updated: updated } });
  }
  const clusters = config.clusters.filter((c: Cluster) => nameMatches(c.name));
  out.push({
    desc: CLUSTERS_CONFIG_DUMP,
    message: clusters.length ? { static_clusters: clusters.map((c) => ({ cluster: packAny(c, CLUSTER), last_updated: updated })) } : {},
  });
  if (includeEds) {
    const eds = clustersOf(ctx)
      .filter((c) => nameMatches(c.info.name))
      .map((c) => ({ endpoint_config: packAny(loadAssignmentOf(c), CLUSTER_LOAD_ASSIGNMENT) }));
    out.push({ desc: ENDPOINTS_CONFIG_DUMP, message: eds.length ? { static_endpoint_configs: eds } : {} });
  }
  const listeners = config.listeners.filter((l: Listener) => nameMatches(l.name ?? ''));
  out.push({
    desc: LISTENERS_CONFIG_DUMP,
    message: listeners.length ? { static_listeners: listeners.map((l) => ({ listener: packAny(l, LISTENER), last_updated: updated })) } : {},
  });
  const routes = config.routeConfigurations.filter((r: RouteConfiguration) => nameMatches(r.name ?? ''));
  out.push({
    desc: ROUTES_CONFIG_DUMP,
    message: routes.length ? { static_route_configs: routes.map((r) => ({ route_config: packAny(r, ROUTE_CONFIGURATION), last_updated: updated })) } : {},
  });
  return out;
}

/** The live hosts of a cluster as a ClusterLoadAssignment (what EDS delivered; here, DNS or static). */
function loadAssignmentOf(c: ReturnType<typeof clustersOf>[number]): Record<string, unknown> {
  const byPriority = new Map<number, unknown[]>();
  for (const h of c.allHosts) {
    let list = byPriority.get(h.priority);
    if (!list) byPriority.set(h.priority, (list = []));
    list.push({
      endpoint: { address: { socket_address: { address: h.address, port_value: h.port } }, ...(h.hostname ? { hostname: h.hostname } : {}) },
      health_status: h.health === 'unhealthy' ? 'UNHEALTHY' : h.health === 'degraded' ? 'DEGRADED' : 'HEALTHY',
      load_balancing_weight: h.weight,
    });
  }
  return {
    cluster_name: c.info.name,
    endpoints: [...byPriority].sort((a, b) => a[0] - b[0]).map(([priority, lb_endpoints]) => ({ lb_endpoints, ...(priority ? { priority } : {}) })),
  };
}

/** ConfigDumpHandler::trimResourceMessage: paths into the single Any field go inside the packed resource. */
function trimResource(element: Record<string, unknown>, desc: MessageDescriptor, paths: string[]): Record<string, unknown> | undefined {
  const outer: string[] = [];
  const inner: string[] = [];
  let anyField: string | undefined;
  for (const p of paths) {
    const [first, ...rest] = p.split('.');
    const f = desc.fields[first!];
    if (f && f.type.k === 'any' && !f.repeated) {
      if (anyField !== undefined && anyField !== first) return undefined;
      anyField = first;
      outer.push(first!);
      if (rest.length) inner.push(rest.join('.'));
    } else {
      outer.push(p);
    }
  }
  if (!outer.every((p) => validPath(desc, p))) return undefined;
  let result = element;
  if (anyField !== undefined && element[anyField] !== undefined && inner.length > 0) {
    const packed = element[anyField] as Record<string, unknown>;
    const url = String(packed['@type']);
    const innerDesc = [CLUSTER, LISTENER, ROUTE_CONFIGURATION, CLUSTER_LOAD_ASSIGNMENT].find((d) => url.endsWith(`/${d.name}`));
    if (!innerDesc || !inner.every((p) => validPath(innerDesc, p))) return undefined;
    result = { ...element, [anyField]: { '@type': url, ...trimMessage(packed, inner) } };
  }
  return trimMessage(result, outer);
}

function handle(ctx: AdminServerContext, q: ReadonlyMap<string, string>): AdminResponse {
  const resource = queryParam(q, 'resource');
  const maskText = queryParam(q, 'mask');
  const mask = maskText === undefined ? undefined : parseFieldMask(maskText);
  const nameRegex = queryParam(q, 'name_regex');
  let nameMatches: (n: string) => boolean = () => true;
  if (nameRegex !== undefined) {
    const r = compileRegex(nameRegex, undefined, Number.MAX_SAFE_INTEGER);
    if (!r.ok) return textResponse(400, `INVALID_ARGUMENT: Error while parsing name_regex from ${nameRegex}: ${r.error}`);
    nameMatches = (n) => regexFullMatch(r.regex, n);
  }
  const all = sections(ctx, nameMatches, q.has('include_eds'));
  const configs: unknown[] = [];
  if (resource !== undefined) {
    const section = all.find((s) => s.desc.fields[resource] !== undefined);
    if (!section) return textResponse(404, `${resource} not found in config dump`);
    const f = section.desc.fields[resource]!;
    if (!f.repeated) return textResponse(400, `${resource} is not a repeated field. Use ?mask=${resource} to get only this field`);
    const elementDesc = elementDescriptor(section.desc, resource)!;
    for (const el of (section.message[resource] as Record<string, unknown>[] | undefined) ?? []) {
      const trimmed = mask ? trimResource(el, elementDesc, mask) : el;
      if (trimmed === undefined) {
        return textResponse(400, `FieldMask ${mask!.map((p) => `paths: "${p}"`).join(' ')} could not be successfully used.`);
      }
      configs.push({ '@type': typeUrl(elementDesc), ...trimmed });
    }
  } else {
    for (const s of all) {
      if (mask && !mask.every((p) => validPath(s.desc, p))) continue;
      configs.push({ '@type': typeUrl(s.desc), ...(mask ? trimMessage(s.message, mask) : s.message) });
    }
    if (mask && configs.length === 0) return textResponse(400, `FieldMask ${maskText} could not be successfully applied to any configs.`);
  }
  return jsonResponse(200, prettyJson({ configs }));
}

export function configDumpHandler(ctx: AdminServerContext): AdminHandler {
  return {
    prefix: '/config_dump',
    help: 'dump current Envoy configs (experimental)',
    mutatesState: false,
    params: [
      { id: 'resource', help: 'The resource to dump' },
      {
        id: 'mask',
        help: 'The mask to apply. When both resource and mask are specified, the mask is applied to every element in the desired repeated field so that only a subset of fields are returned. The mask is parsed as a ProtobufWkt::FieldMask',
      },
      { id: 'name_regex', help: 'Dump only the currently loaded configurations whose names match the specified regex. Can be used with both resource and mask query parameters.' },
      { id: 'include_eds', help: 'Dump currently loaded configuration including EDS. See the response definition for more information' },
    ],
    handle: (req) => handle(ctx, req.query),
  };
}
