/**
 * The Bootstrap's stats settings, compiled once per server (Envoy's StatsConfigImpl +
 * TagProducerImpl + StatsMatcherImpl + HistogramSettingsImpl):
 *  - `stats_config.stats_matcher`: which stats exist (reject_all, exclusion_list,
 *    inclusion_list of StringMatchers on the full stat name);
 *  - `stats_config.histogram_bucket_settings`: bucket bounds per histogram, first match wins,
 *    Envoy's defaults otherwise;
 *  - `stats_config.stats_tags` and `use_all_default_tags` (default true): the tag producer;
 *  - `stats_flush_interval` (default 5 s) and `stats_flush_on_admin`: when histograms merge.
 * Config problems come back as diagnostics at their position; nothing throws.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { Bootstrap, StringMatcher } from '../../config/types.js';
import { report, type CompileContext } from '../../core/compile_context.js';
import { compileStringMatcher, type CompiledStringMatcher } from '../../core/string_matcher.js';
import { DEFAULT_BUCKETS } from './histogram.js';
import type { StatsCreationPolicy } from './store.js';
import { TagProducer, type TagSpecifier } from './tag_extractor.js';

/** Envoy's default `stats_flush_interval`. */
export const DEFAULT_STATS_FLUSH_INTERVAL_MS = 5000;

/** `envoy.config.metrics.v3.StatsConfig` as decoded (src/config/schema/bootstrap.ts). */
export interface StatsConfigProto {
  stats_tags?: TagSpecifier[];
  use_all_default_tags?: boolean;
  stats_matcher?: {
    reject_all?: boolean;
    exclusion_list?: { patterns?: StringMatcher[] };
    inclusion_list?: { patterns?: StringMatcher[] };
  };
  histogram_bucket_settings?: Array<{ match?: StringMatcher; buckets?: number[] }>;
}

/** The compiled settings. */
export class StatsConfig implements StatsCreationPolicy {
  constructor(
    readonly tagProducer: TagProducer,
    private readonly matcher: (name: string) => boolean,
    private readonly buckets: ReadonlyArray<{ match: CompiledStringMatcher; buckets: readonly number[] }>,
    /** Histogram merge period; 0 with `stats_flush_on_admin` (merge on every admin read). */
    readonly flushIntervalMs: number,
    readonly flushOnAdmin: boolean,
  ) {}

  /** Envoy's defaults: every stat, default tags and buckets, flush every 5 s. */
  static defaults(): StatsConfig {
    return new StatsConfig(new TagProducer(), () => false, [], DEFAULT_STATS_FLUSH_INTERVAL_MS, false);
  }

  rejects(name: string): boolean {
    return this.matcher(name);
  }

  histogramBuckets(name: string): readonly number[] {
    for (const b of this.buckets) if (b.match.match(name)) return b.buckets;
    return DEFAULT_BUCKETS;
  }
}

/** Compiles the Bootstrap's stats settings. */
export function buildStatsConfig(bootstrap: Bootstrap | undefined, file: string): { config: StatsConfig; diagnostics: Diagnostic[] } {
  const ctx: CompileContext = { runtime: {}, diagnostics: [], file };
  const sc = bootstrap?.stats_config as StatsConfigProto | undefined;
  const base = '$.stats_config';
  let tagProducer: TagProducer;
  try {
    tagProducer = new TagProducer(sc?.stats_tags ?? [], sc?.use_all_default_tags !== false);
  } catch (err) {
    report(ctx, 'error', 'serve/stats-config', `stats_config.stats_tags: ${(err as Error).message}`, `${base}.stats_tags`, sc, 'stats_tags');
    tagProducer = new TagProducer([], sc?.use_all_default_tags !== false);
  }
  let matcher: (name: string) => boolean = () => false;
  const m = sc?.stats_matcher;
  if (m?.reject_all === true) {
    matcher = () => true;
  } else if (m?.exclusion_list) {
    const list = (m.exclusion_list.patterns ?? []).map((p, i) => compileStringMatcher(p, ctx, `${base}.stats_matcher.exclusion_list.patterns[${i}]`));
    matcher = (name) => list.some((x) => x.match(name));
  } else if (m?.inclusion_list) {
    const list = (m.inclusion_list.patterns ?? []).map((p, i) => compileStringMatcher(p, ctx, `${base}.stats_matcher.inclusion_list.patterns[${i}]`));
    matcher = (name) => !list.some((x) => x.match(name));
  }
  const buckets = (sc?.histogram_bucket_settings ?? []).flatMap((b, i) => {
    const path = `${base}.histogram_bucket_settings[${i}]`;
    if (!b.match || !b.buckets || b.buckets.length === 0) {
      report(ctx, 'error', 'serve/stats-config', 'histogram_bucket_settings needs `match` and at least one bucket', path, b);
      return [];
    }
    if (new Set(b.buckets).size !== b.buckets.length) {
      report(ctx, 'error', 'serve/stats-config', 'histogram_bucket_settings buckets must be unique', `${path}.buckets`, b, 'buckets');
      return [];
    }
    // Envoy sorts the bounds (their order in the config does not matter).
    return [{ match: compileStringMatcher(b.match, ctx, `${path}.match`), buckets: [...b.buckets].sort((x, y) => x - y) }];
  });
  const flushOnAdmin = bootstrap?.['stats_flush_on_admin'] === true;
  const interval = bootstrap?.['stats_flush_interval'];
  const flushIntervalMs = flushOnAdmin ? 0 : typeof interval === 'number' && interval > 0 ? interval : DEFAULT_STATS_FLUSH_INTERVAL_MS;
  return { config: new StatsConfig(tagProducer, matcher, buckets, flushIntervalMs, flushOnAdmin), diagnostics: ctx.diagnostics };
}
