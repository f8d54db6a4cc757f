/**
 * Reads an Envoy `DataSource` (`filename`, `inline_string`, `inline_bytes`,
 * `environment_variable`) for the TLS transport socket: certificates, keys, CAs, CRLs. Files are
 * read synchronously when a TLS context is built (startup, or a certificate reload), never per
 * connection. Errors come back as text, never thrown.
 */
import { readFileSync } from 'node:fs';
import type { DataSource } from '../../config/types.js';

/** The bytes of a DataSource, or why they could not be read. */
export type DataSourceRead = { readonly data: Buffer; readonly file?: string } | { readonly error: string };

/** Reads `ds`; `env` defaults to process.env (environment_variable). */
export function readDataSource(ds: DataSource, env: NodeJS.ProcessEnv = process.env): DataSourceRead {
  if (ds.filename !== undefined) {
    try {
      return { data: readFileSync(ds.filename), file: ds.filename };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { error: `cannot read ${ds.filename}: ${e.code ?? e.message}` };
    }
  }
  if (ds.inline_string !== undefined) return { data: Buffer.from(ds.inline_string, 'utf8') };
  if (ds.inline_bytes !== undefined) return { data: Buffer.from(ds.inline_bytes) };
  if (ds.environment_variable !== undefined) {
    const v = env[ds.environment_variable];
    if (v === undefined) return { error: `environment variable ${ds.environment_variable} is not set` };
    return { data: Buffer.from(v, 'utf8') };
  }
  return { error: 'the data source is empty (set filename, inline_string, inline_bytes or environment_variable)' };
}
