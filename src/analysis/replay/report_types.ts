/**
 * `tsproxy replay --json`: plain JSON, documented in docs/replay.md. Fields are only ever
 * added; names are snake_case; positions are `{file, line, col}` or null.
 */
import type { PositionJson } from '../explain/report_types.js';

/** One log line quoted as an example. */
export interface ExampleJson {
  file: string;
  line: number;
  method: string;
  authority: string | null;
  path: string;
  /** The status the log recorded, null when the format has none. */
  logged_status: number | null;
  /** What the config does now, one line. */
  outcome: string;
}

export interface RouteHitsJson {
  route_configuration: string;
  virtual_host: string;
  name: string | null;
  index: number;
  /** name, or `#index`. */
  label: string;
  position: PositionJson | null;
  hits: number;
}

export interface VirtualHostHitsJson {
  route_configuration: string;
  name: string;
  index: number;
  position: PositionJson | null;
  hits: number;
}

/** Requests that now get a local 404 or 503 (or another error status from a missing cluster). */
export interface FailureGroupJson {
  status: number;
  response_flag: string;
  details: string;
  summary: string;
  count: number;
  /** How many of them the log recorded with another status: they did not fail then. */
  newly_failing: number;
  examples: ExampleJson[];
}

/** Requests whose outcome differs between `--against` (before) and `-c` (after). */
export interface ChangeGroupJson {
  /** What these requests had in common with the `--against` config, and with `-c`. */
  before: string;
  after: string;
  count: number;
  /** `outcome` is with `-c`, `before` with `--against`. */
  examples: (ExampleJson & { before: string })[];
}

export interface ReplayReport {
  schema: 'tsproxy.replay/v1';
  config: { file: string; kind: string };
  against: { file: string; kind: string } | null;
  format: { source: string; json: boolean; carries: string[] };
  lines: { total: number; parsed: number; unparsed: number; unparsed_examples: { file: string; line: number; text: string }[] };
  requests: {
    total: number;
    /** A route matched (forward, redirect or direct response). */
    routed: number;
    /** 404 NR. */
    no_route: number;
    /** Local 404/503 replies (NR, NC, UH, UO and direct responses with those codes). */
    failing: number;
    /** No listener, filter chain, HCM or route configuration for them. */
    unrouted: number;
  };
  virtual_hosts: VirtualHostHitsJson[];
  routes: RouteHitsJson[];
  never_hit: RouteHitsJson[];
  failures: FailureGroupJson[];
  /** Only with --against. */
  changes: ChangeGroupJson[] | null;
  changed: number | null;
  /**
   * Requests the log says went to another route or cluster than the one the config picks now
   * (only when the format logs %ROUTE_NAME% or %UPSTREAM_CLUSTER%).
   */
  log_disagreements: { count: number; examples: (ExampleJson & { logged: string })[] };
  /** Header names route matchers read that the log format does not carry (replayed as absent). */
  headers_not_logged: string[];
  notes: string[];
}
