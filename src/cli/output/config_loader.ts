/**
 * Loading a config file's text for the CLI commands, through src/config's loader. Every command
 * reads its files here, so `-` (standard input) works everywhere: `-c -`.
 */
import type { Diagnostic } from '../../config/diagnostic.js';
import type { LoadedConfig } from '../../config/types.js';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadConfigWith, type YamlParser } from '../../config/load_core.js';
import { MAX_CONFIG_BYTES } from '../../config/defaults.js';

export type ConfigTypeFlag = 'bootstrap' | 'route' | 'config_dump';

/** Loads `text` (from `file`); never throws: a failure is an error diagnostic. */
export function loadConfigText(
  text: string,
  file: string,
  type: ConfigTypeFlag | undefined,
): { config: LoadedConfig | undefined; diagnostics: Diagnostic[] } {
  file = displayName(file);
  try {
    const r = loadConfigWith(text, file, type === undefined ? {} : { type }, yamlOnDemand);
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

/**
 * The `yaml` package's parser, loaded the first time a file needs it: most configs take the fast
 * path, and loading the package costs ~90 ms of a command's start-up.
 */
const yamlOnDemand: YamlParser = (text, maxDepth, maxAliasNodes) => {
  const mod = createRequire(import.meta.url)('../../config/yaml_source.js') as { parseYamlSource: YamlParser };
  return mod.parseYamlSource(text, maxDepth, maxAliasNodes);
};

/** The name diagnostics give a file: `<stdin>` for `-`. */
export function displayName(file: string): string {
  return file === STDIN ? '<stdin>' : file;
}

/** The file name that means standard input. */
export const STDIN = '-';

/**
 * Reads a config (or test) file for a command; `-` reads standard input. Refuses a file over the
 * loader's 64 MiB limit before reading it, so a huge file is never pulled into memory (standard
 * input is checked once read). Never throws.
 */
export function readConfigFile(file: string): { text: string } | { error: string; reason: string } {
  if (file === STDIN) {
    try {
      const text = readFileSync(0, 'utf8');
      if (text.length > MAX_CONFIG_BYTES) {
        const reason = `over the 64 MiB (${MAX_CONFIG_BYTES}-byte) config limit`;
        return { error: `cannot read <stdin>: ${reason}`, reason };
      }
      return { text };
    } catch (e) {
      const why = (e as Error).message;
      return { error: `cannot read <stdin>: ${why}`, reason: why };
    }
  }
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      const reason = `${size} bytes, over the 64 MiB (${MAX_CONFIG_BYTES}-byte) config limit`;
      return { error: `cannot read ${file}: ${reason}`, reason };
    }
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return { error: `cannot read ${file}: ${why}`, reason: why };
  }
}
