/**
 * Choosing the route configuration offline by name (`--route-config NAME` on match, explain and
 * test): a config dump holds many (Istio's `http.8080`, `80`, `inbound|9080||`). Pure.
 */
import type { Listener, RouteConfiguration } from '../config/types.js';
import { findHttpConnectionManager } from './listener_match.js';

/** How a route configuration was chosen by name (`--route-config`). */
export interface RouteConfigSelection {
  readonly routeConfig: RouteConfiguration | undefined;
  /** Why (or why none): `named "http.8080"`, or the names there are, with a suggestion. */
  readonly reason: string;
}

/**
 * The route configuration named `name` among `known` (a dump's static and dynamic route configs,
 * inline ones included). When absent, the reason lists the names there are and suggests the
 * closest (`suggest` is the config layer's did-you-mean, passed in to keep core free of it).
 */
export function selectRouteConfiguration(
  known: readonly RouteConfiguration[],
  name: string,
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
): RouteConfigSelection {
  const rc = known.find((r) => r.name === name);
  if (rc) return { routeConfig: rc, reason: `named "${name}"` };
  const names = known.map((r) => r.name).filter((n): n is string => n !== undefined);
  const close = suggest(name, names);
  const list = names.length === 0 ? 'the config has none with a name' : `route configurations: ${names.map((n) => `"${n}"`).join(', ')}`;
  return { routeConfig: undefined, reason: `no route configuration named "${name}"${close ? `; did you mean "${close}"?` : ''} (${list})` };
}

/** The listeners (by index) whose HTTP connection managers route with the route configuration `name`. */
export function listenersUsingRouteConfig(listeners: readonly Listener[], name: string): number[] {
  const out: number[] = [];
  listeners.forEach((l, i) => {
    const chains = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    const uses = chains.some((c) => {
      const h = findHttpConnectionManager(c)?.hcm;
      return h?.rds?.route_config_name === name || (h?.route_config !== undefined && h.route_config.name === name);
    });
    if (uses) out.push(i);
  });
  return out;
}
/**
 * Where `--route-config NAME` takes an offline question: the one listener whose HTTP connection
 * manager routes with it (so that listener's HCM settings apply), else the route configuration on
 * its own (none or several listeners use it), else an error naming the route configurations there
 * are (with a did-you-mean).
 */
export function routeConfigTarget(
  listeners: readonly Listener[],
  known: readonly RouteConfiguration[],
  name: string,
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
):
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'listener'; readonly index: number }
  | { readonly kind: 'route_config'; readonly routeConfig: RouteConfiguration; readonly note: string } {
  const sel = selectRouteConfiguration(known, name, suggest);
  if (!sel.routeConfig) return { kind: 'error', reason: sel.reason };
  const users = listenersUsingRouteConfig(listeners, name);
  if (users.length === 1) return { kind: 'listener', index: users[0]! };
  const note = users.length === 0
    ? `route configuration "${name}" chosen by --route-config; no listener of this config routes with it, so no connection manager settings apply`
    : `route configuration "${name}" chosen by --route-config; ${users.length} listeners route with it (${users.map((i) => `"${listeners[i]!.name ?? i}"`).join(', ')}): add --listener to apply one's connection manager settings`;
  return { kind: 'route_config', routeConfig: sel.routeConfig, note };
}

/**
 * The route configuration of a config without listeners (a bare RouteConfiguration, a list of
 * them): the one named, the only one, or an ambiguity naming them all.
 */
export function bareRouteConfig(
  known: readonly RouteConfiguration[],
  name: string | undefined,
  suggest: (word: string, candidates: readonly string[]) => string | undefined,
): RouteConfigSelection {
  if (name !== undefined) return selectRouteConfiguration(known, name, suggest);
  if (known.length === 1) return { routeConfig: known[0], reason: 'the only route configuration' };
  if (known.length === 0) return { routeConfig: undefined, reason: 'the config has no route configuration' };
  const names = known.map((r, i) => (r.name !== undefined ? `"${r.name}"` : `#${i}`));
  return { routeConfig: undefined, reason: `ambiguous: the config has ${known.length} route configurations and no listener to choose by; choose one with --route-config NAME: ${names.join(', ')}` };
}
