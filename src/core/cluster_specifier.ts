/**
 * Cluster specifiers of a RouteAction: `cluster`, `cluster_header`, `weighted_clusters`
 * (Envoy's HeaderClusterSpecifierPlugin and WeightedClusterSpecifierPlugin).
 *
 * Weighted pick: `value % total` walked against running sums in declared order (115 with
 * 30/30/40 picks the first); the total is the sum of the weights (deprecated `total_weight` is
 * ignored, as in current Envoy). `header_name` supplies the value when the header holds
 * a uint64; the runtime key `<runtime_key_prefix>.<name>` overrides a weight.
 * A missing `cluster_header` still matches, with cluster "" (then NC cluster_not_found).
 */
import type { Any, ClusterWeight, RouteAction, WeightedCluster } from '../config/types.js';
import type { RouteRequest, RuntimeValues, WeightedClusterEntry } from './route_types.js';
import { report, posOf, type CompileContext } from './compile_context.js';
import { compileHeaderMutationGroup, NO_HEADER_MUTATIONS, type HeaderMutationGroup, type HeaderMutations } from './header_mutation.js';
import { requestHeaderValue } from './header_matcher.js';

/** A weighted entry with what finalize needs. */
export interface CompiledWeightedCluster extends WeightedClusterEntry {
  readonly config: ClusterWeight;
  readonly runtimeKey: string | undefined;
  readonly requestGroup: HeaderMutationGroup | undefined;
  readonly responseGroup: HeaderMutationGroup | undefined;
  readonly hostRewriteLiteral: string | undefined;
  /** Filled by the route compiler: the entry's request/response mutations followed by the route's. */
  requestMutations: HeaderMutations;
  responseMutations: HeaderMutations;
}

export type CompiledClusterSpecifier =
  | { kind: 'cluster'; name: string }
  | { kind: 'cluster_header'; header: string }
  | {
      kind: 'weighted_clusters';
      clusters: CompiledWeightedCluster[];
      totalWeight: number;
      headerName: string | undefined;
      config: WeightedCluster;
    }
  | { kind: 'unsupported'; field: string }
  | { kind: 'none' };

/** First value of a request header (Envoy reads `headers.get(name)[0]`). */
export function firstHeaderValue(req: RouteRequest, name: string): string | undefined {
  if (name.startsWith(':')) return requestHeaderValue(req, name);
  const v = req.headers[name];
  if (v === undefined || typeof v === 'string') return v;
  return v[0];
}

function runtimeUint(runtime: RuntimeValues | undefined, key: string): number | undefined {
  const v = runtime?.[key];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

export function compileClusterSpecifier(
  action: RouteAction,
  perFilterConfig: Readonly<Record<string, Any>>,
  ctx: CompileContext,
  path: string,
): CompiledClusterSpecifier {
  if (action.cluster !== undefined) return { kind: 'cluster', name: action.cluster };
  if (action.cluster_header !== undefined) return { kind: 'cluster_header', header: action.cluster_header.toLowerCase() };
  if (action.weighted_clusters !== undefined) {
    const wc = action.weighted_clusters;
    const clusters: CompiledWeightedCluster[] = [];
    let sum = 0;
    (wc.clusters ?? []).forEach((cw, i) => {
      const p = `${path}.weighted_clusters.clusters[${i}]`;
      const name = cw.name ?? '';
      const clusterHeader = cw.cluster_header !== undefined ? cw.cluster_header.toLowerCase() : undefined;
      if ((name === '') === (clusterHeader === undefined)) {
        report(ctx, 'error', 'route/weighted-cluster', 'Exactly one of name or cluster_header need to be specified', p, cw);
      }
      const runtimeKey = wc.runtime_key_prefix !== undefined && wc.runtime_key_prefix !== '' ? `${wc.runtime_key_prefix}.${name}` : undefined;
      const weight = (runtimeKey !== undefined ? runtimeUint(ctx.runtime, runtimeKey) : undefined) ?? cw.weight ?? 0;
      sum += weight;
      clusters.push({
        name,
        clusterHeader,
        weight,
        index: i,
        get position() {
          return posOf(cw);
        },
        perFilterConfig: cw.typed_per_filter_config !== undefined ? { ...perFilterConfig, ...cw.typed_per_filter_config } : perFilterConfig,
        metadataMatch: cw.metadata_match,
        config: cw,
        runtimeKey,
        requestGroup: compileHeaderMutationGroup(cw.request_headers_to_add, cw.request_headers_to_remove, ctx, p, 'request_headers_to_add', 'request_headers_to_remove'),
        responseGroup: compileHeaderMutationGroup(cw.response_headers_to_add, cw.response_headers_to_remove, ctx, p, 'response_headers_to_add', 'response_headers_to_remove'),
        hostRewriteLiteral: cw.host_rewrite_literal,
        // Filled by the table compiler (route.ts), which knows the parent route's groups.
        requestMutations: NO_HEADER_MUTATIONS,
        responseMutations: NO_HEADER_MUTATIONS,
      });
    });
    // total_weight is deprecated: current Envoy ignores it and uses the sum of the weights
    // (older Envoy rejected a mismatch with "Sum of weights in the weighted_cluster should add
    // up to N"), so a mismatch is only worth a warning.
    if (wc.total_weight !== undefined && wc.total_weight > 0 && wc.total_weight !== sum) {
      report(ctx, 'warning', 'route/weighted-cluster-total-weight', `total_weight ${wc.total_weight} is ignored: the weights add up to ${sum}, which is the total Envoy uses (older Envoy rejected this: "Sum of weights in the weighted_cluster should add up to ${wc.total_weight}")`, `${path}.weighted_clusters.total_weight`, wc, 'total_weight');
    }
    if (sum === 0) {
      report(ctx, 'error', 'route/weighted-cluster', 'Sum of weights in the weighted_cluster must be greater than 0.', `${path}.weighted_clusters`, wc);
    }
    return {
      kind: 'weighted_clusters',
      clusters,
      totalWeight: sum,
      headerName: wc.header_name !== undefined && wc.header_name !== '' ? wc.header_name.toLowerCase() : undefined,
      config: wc,
    };
  }
  if (action.cluster_specifier_plugin !== undefined) return { kind: 'unsupported', field: 'cluster_specifier_plugin' };
  if (action.inline_cluster_specifier_plugin !== undefined) return { kind: 'unsupported', field: 'inline_cluster_specifier_plugin' };
  report(ctx, 'error', 'schema/required', 'RouteAction needs one of cluster, cluster_header, weighted_clusters', path, action);
  return { kind: 'none' };
}

const UINT64 = /^\d+$/;

/** Result of a weighted pick (allocated per call only for weighted routes). */
export interface WeightedPick {
  entry: CompiledWeightedCluster | undefined;
  index: number;
  value: number;
  valueSource: 'random' | 'header';
  selector: number;
  clusters: readonly CompiledWeightedCluster[];
  totalWeight: number;
}

/**
 * Picks a weighted cluster. Per-call runtime (`req.runtime`) may override weights; then the
 * effective weights are recomputed for this call.
 */
export function pickWeightedCluster(
  spec: Extract<CompiledClusterSpecifier, { kind: 'weighted_clusters' }>,
  req: RouteRequest,
  randomValue: number,
): WeightedPick {
  let value = randomValue;
  let valueSource: 'random' | 'header' = 'random';
  if (spec.headerName !== undefined) {
    const h = firstHeaderValue(req, spec.headerName);
    if (h !== undefined && UINT64.test(h)) {
      value = Number(h);
      valueSource = 'header';
    }
  }
  let clusters: readonly CompiledWeightedCluster[] = spec.clusters;
  let total = spec.totalWeight;
  if (req.runtime !== undefined && spec.config.runtime_key_prefix) {
    const rt = req.runtime;
    let changed = false;
    const next = spec.clusters.map((c) => {
      const w = c.runtimeKey !== undefined ? runtimeUint(rt, c.runtimeKey) : undefined;
      if (w === undefined || w === c.weight) return c;
      changed = true;
      return { ...c, weight: w };
    });
    if (changed) {
      clusters = next;
      total = next.reduce((a, c) => a + c.weight, 0);
    }
  }
  const selector = total > 0 ? value % total : 0;
  let begin = 0;
  for (let i = 0; i < clusters.length; i++) {
    const end = begin + clusters[i].weight;
    if (selector >= begin && selector < end) {
      return { entry: clusters[i], index: i, value, valueSource, selector, clusters, totalWeight: total };
    }
    begin = end;
  }
  return { entry: undefined, index: -1, value, valueSource, selector, clusters, totalWeight: total };
}
