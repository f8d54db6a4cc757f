/**
 * A diagnostic about a config file: what lint prints, what `serve` refuses to start on, what the
 * offline commands show before their answer. Positions are 1-based.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface SourcePosition {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  endLine?: number;
  endCol?: number;
}

export interface Diagnostic extends SourcePosition {
  severity: Severity;
  /** Stable rule id, e.g. `schema/unknown-field`, `route/unknown-cluster`. */
  rule: string;
  message: string;
  /** JSON path of the offending node, e.g. `$.static_resources.clusters[0].lb_policy`. */
  path: string;
}
