/**
 * `tsproxy lint`'s engine: load a config (schema diagnostics come from the loader), run every
 * semantic rule on the decoded config, and return the diagnostics sorted by position. Pure: the
 * caller reads the file and prints the result. Never throws on bad input — a rule that crashes
 * on an odd config becomes a `lint/internal` diagnostic instead of a stack trace.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import { loadConfig, type ConfigType } from '../../config/load.js';
import type { LoadedConfig } from '../../config/types.js';
import { LintContext } from './context.js';
import { DeferredPaths, noPaths } from './json_path.js';
import { SourceTree } from './locate.js';
import { buildModel } from './model.js';
import { semanticRules } from './registry.js';

export type { ConfigType };

export interface LintOptions {
  /** Forces the document kind (`--type`); absent lets the loader detect it. */
  readonly type?: ConfigType;
  /** Rule ids not to report (`--rule-off`). */
  readonly ruleOff?: ReadonlySet<string>;
}

/** Orders diagnostics by position, then rule id, so output is stable. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.col - b.col || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

/**
 * Runs the semantic rules on an already loaded config. `text` (the file's contents) lets lint
 * position findings on scalar list items that the decoder does not position itself.
 */
export function lintLoaded(config: LoadedConfig, file: string, options: LintOptions = {}, text?: string): Diagnostic[] {
  // A config dump's resources are flattened by the loader; their JSON paths are looked up in the
  // source only when a finding needs one.
  const deferred = config.kind === 'config_dump' && text !== undefined ? new DeferredPaths() : undefined;
  const ctx = new LintContext(config, buildModel(config, deferred ?? noPaths), file);
  for (const rule of semanticRules) {
    if (options.ruleOff?.has(rule.id)) continue;
    try {
      rule.check(ctx);
    } catch (err) {
      ctx.diagnostics.push({
        file,
        line: 1,
        col: 1,
        severity: 'error',
        rule: 'lint/internal',
        message: `rule ${rule.id} failed on this config (${err instanceof Error ? err.message : String(err)}); please report it`,
        path: '$',
      });
    }
  }
  const source = text !== undefined ? new SourceTree(text, file) : undefined;
  const ds = ctx.diagnostics;
  if (deferred && source) deferred.finish(ds.length, (i) => ds[i]!.path, (i, p) => (ds[i]!.path = p), () => source.dumpResourcePaths());
  if (source && ctx.atListPosition.length > 0) {
    for (const d of ctx.atListPosition) {
      const p = source.locate(d.path);
      if (!p) continue;
      d.line = p.line;
      d.col = p.col;
      d.endLine = p.endLine;
      d.endCol = p.endCol;
    }
  }
  return ctx.diagnostics.sort(compareDiagnostics);
}

/**
 * Lints config text: loader diagnostics (syntax, schema) plus, when the config decoded, every
 * semantic rule. Rules in `options.ruleOff` are dropped, loader ones included.
 */
export function lintText(text: string, file: string, options: LintOptions = {}): Diagnostic[] {
  const loaded = loadConfig(text, file, options.type !== undefined ? { type: options.type } : {});
  const out: Diagnostic[] = loaded.diagnostics.filter((d) => !options.ruleOff?.has(d.rule));
  // No config means the loader already reported why (syntax, limits, not a mapping).
  if (loaded.config) out.push(...lintLoaded(loaded.config, file, options, text));
  return out.sort(compareDiagnostics);
}
