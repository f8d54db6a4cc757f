/**
 * Config loading: text -> LoadedConfig + diagnostics. Pure (reading files is the CLI's job).
 *
 * Accepts what Envoy accepts: YAML or JSON (JSON with trailing commas too), fields in
 * snake_case or lowerCamelCase, as a Bootstrap, a bare RouteConfiguration, or an admin
 * `/config_dump`. Never throws on bad input: every problem is a Diagnostic with file, 1-based
 * line/col and end, and a JSON path. The work is in load_core.ts; this module binds the `yaml`
 * package as the parser for YAML the fast path (fast_yaml.ts) does not take.
 */
import { loadConfigWith, type LoadOptions, type LoadResult } from './load_core.js';
import { parseYamlSource } from './yaml_source.js';

export * from './load_core.js';

/** Loads a config from its text. `file` names it in diagnostics. Never throws on bad input. */
export function loadConfig(text: string, file: string, options: LoadOptions = {}): LoadResult {
  return loadConfigWith(text, file, options, parseYamlSource);
}
