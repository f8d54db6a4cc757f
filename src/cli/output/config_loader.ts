/**
 * Loading a config file's text for the CLI commands, through src/config's loader.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { LoadedConfig } from '../../config/types.js';
import { loadConfig } from '../../config/load.js';

export type ConfigTypeFlag = 'bootstrap' | 'route' | 'config_dump';

/** Loads `text` (from `file`); never throws: a failure is an error diagnostic. */
export function loadConfigText(
  text: string,
  file: string,
  type: ConfigTypeFlag | undefined,
): { config: LoadedConfig | undefined; diagnostics: Diagnostic[] } {
  try {
    const r = loadConfig(text, file, type === undefined ? {} : { type });
    return { config: r.config, diagnostics: [...r.diagnostics] };
  } catch (e) {
    return {
      config: undefined,
      diagnostics: [
        { file, line: 1, col: 1, severity: 'error', rule: 'config/internal', message: `the config could not be loaded: ${(e as Error).message}`, path: '$' },
      ],
    };
  }
}
