/**
 * Access loggers (`envoy.config.accesslog.v3.AccessLog`): the file logger
 * (`envoy.extensions.access_loggers.file.v3.FileAccessLog`, `path` may be `/dev/stdout`) and the
 * stream loggers (`...stream.v3.StdoutAccessLog`, `StderrAccessLog`).
 *
 * Usage (the connection manager): build once per config with `createAccessLogger()` (or
 * `compileAccessLog()` to get diagnostics instead of an exception), call `log(streamInfo)` at
 * stream end, `close()` on shutdown (flushes the batch). `log()` never throws and does no I/O:
 * lines are batched and written asynchronously (sink.ts).
 *
 * Formats: `log_format` (SubstitutionFormatString: `text_format_source`, `text_format`,
 * `json_format`, `omit_empty_values`, `json_format_options.sort_properties`), the deprecated
 * FileAccessLog `format` / `json_format` / `typed_json_format`; none means Envoy's default
 * format. An unknown command operator is a config error, as in Envoy.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AccessLog, DataSource } from '../../config/types.js';
import type {
  AccessLogFilter,
  FileAccessLogConfig,
  StreamAccessLogConfig,
  SubstitutionFormatString,
} from '../../config/extension_types.js';
import type { StreamInfo } from '../stream_info.js';
import {
  compileJsonFormat,
  compileTextFormat,
  DEFAULT_ACCESS_LOG_FORMAT,
  type AccessLogFormatter,
  type FormatCompileResult,
} from './formatter.js';
import { compileAccessLogFilter, type AccessLogPredicate } from './filter.js';
import type { OperatorContext } from './operators.js';
import { openFileSink, streamSink, type AccessLogSink, type LineStream, type SinkOptions } from './sink.js';
import type { AccessLogManager } from './manager.js';

export const FILE_ACCESS_LOG_TYPE = 'envoy.extensions.access_loggers.file.v3.FileAccessLog';
export const STDOUT_ACCESS_LOG_TYPE = 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';
export const STDERR_ACCESS_LOG_TYPE = 'envoy.extensions.access_loggers.stream.v3.StderrAccessLog';

export { DEFAULT_ACCESS_LOG_FORMAT };

/** One configured access log. */
export interface AccessLogger {
  /** Formats and queues one line for this stream (if the filter passes). Never throws. */
  log(info: StreamInfo): void;
  /** Flushes queued lines and releases the file. Idempotent. */
  close(): Promise<void>;
}

export interface AccessLoggerOptions extends SinkOptions {
  /**
   * Where the lines go (a server's manager: one shared sink per destination, reopened on
   * SIGUSR1, flushed on exit). Without one, each logger opens its own sink with these options.
   */
  manager?: AccessLogManager;
  /** Defaults to process.stdout (also used for `path: /dev/stdout`). */
  stdout?: LineStream;
  /** Defaults to process.stderr (also used for `path: /dev/stderr`). */
  stderr?: LineStream;
  /** Monotonic clock (ms), same origin as StreamInfo.startMonotonic. Default performance.now. */
  monotonicNow?: () => number;
  hostname?: string;
  uuid?: () => string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Result of compiling an AccessLog: a logger, or the config errors. Warnings either way. */
export interface AccessLogCompileResult {
  logger?: AccessLogger;
  errors: string[];
  warnings: string[];
}

/** Thrown by createAccessLogger on a config error; `message` is fit for a diagnostic. */
export class AccessLogConfigError extends Error {
  constructor(
    readonly errors: readonly string[],
    readonly warnings: readonly string[] = [],
  ) {
    super(`invalid access log: ${errors.join('; ')}`);
    this.name = 'AccessLogConfigError';
  }
}

function typeName(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl;
}

function dataSourceText(ds: DataSource): { text?: string; error?: string } {
  const inline = ds.inline_string;
  if (typeof inline === 'string') return { text: inline };
  const bytes = ds.inline_bytes;
  if (bytes instanceof Uint8Array) return { text: Buffer.from(bytes).toString('utf8') };
  const filename = ds.filename;
  if (typeof filename === 'string') {
    try {
      // Config time, not the request path.
      return { text: readFileSync(filename, 'utf8') };
    } catch (err) {
      return { error: `text_format_source: cannot read ${filename}: ${(err as Error).message}` };
    }
  }
  const envVar = ds.environment_variable;
  if (typeof envVar === 'string') {
    const v = process.env[envVar];
    return v === undefined ? { error: `text_format_source: environment variable ${envVar} is not set` } : { text: v };
  }
  return { error: 'text_format_source: no inline_string, inline_bytes, filename or environment_variable' };
}

/** Compiles `log_format` (SubstitutionFormatString). */
function compileSubstitutionFormat(sfs: SubstitutionFormatString & { formatters?: unknown }, ctx: OperatorContext): FormatCompileResult {
  const omitEmptyValues = sfs.omit_empty_values === true;
  const formatters = sfs.formatters;
  if (Array.isArray(formatters) && formatters.length > 0) {
    return { errors: ['log_format.formatters (formatter extensions) are not implemented by tsproxy'], warnings: [] };
  }
  const json = sfs.json_format;
  if (json !== undefined) {
    if (typeof json !== 'object' || json === null) return { errors: ['log_format.json_format must be a struct'], warnings: [] };
    return compileJsonFormat(json, ctx, {
      omitEmptyValues,
      sortProperties: sfs.json_format_options?.sort_properties === true,
    });
  }
  const src = sfs.text_format_source;
  if (src !== undefined) {
    const r = dataSourceText(src ?? {});
    if (r.error !== undefined) return { errors: [r.error], warnings: [] };
    return compileTextFormat(r.text!, ctx, { omitEmptyValues });
  }
  const text = sfs.text_format;
  if (typeof text === 'string') return compileTextFormat(text, ctx, { omitEmptyValues });
  return { errors: ['log_format: one of text_format, json_format, text_format_source must be set'], warnings: [] };
}

function compileFormat(cfg: FileAccessLogConfig | StreamAccessLogConfig, ctx: OperatorContext, allowLegacy: boolean): FormatCompileResult {
  const logFormat = cfg.log_format;
  if (logFormat !== undefined) return compileSubstitutionFormat(logFormat ?? {}, ctx);
  if (allowLegacy) {
    // Deprecated FileAccessLog access_log_format oneof: format, json_format, typed_json_format.
    const file = cfg as FileAccessLogConfig;
    const format = file.format;
    if (typeof format === 'string' && format !== '') return compileTextFormat(format, ctx);
    const json = file.json_format ?? file.typed_json_format;
    if (typeof json === 'object' && json !== null) return compileJsonFormat(json, ctx);
  }
  return compileTextFormat(DEFAULT_ACCESS_LOG_FORMAT, ctx);
}

/** Compiles an AccessLog into a logger, or returns why it cannot. Opens the file (config time). */
export function compileAccessLog(accessLog: AccessLog, options: AccessLoggerOptions = {}): AccessLogCompileResult {
  const monotonicNow = options.monotonicNow ?? (() => performance.now());
  const ctx: OperatorContext = {
    monotonicNow,
    hostname: options.hostname ?? hostname(),
    uuid: options.uuid ?? randomUUID,
    env: options.env ?? process.env,
  };
  // Decoded by the config layer by `@type` (snake_case, whichever spelling the user wrote).
  const typed = accessLog.typed_config as unknown as (FileAccessLogConfig | StreamAccessLogConfig) | undefined;
  if (!typed || typeof typed['@type'] !== 'string') {
    return { errors: [`access log ${accessLog.name ?? ''}: typed_config with @type is required`.replace('  ', ' ')], warnings: [] };
  }
  const type = typeName(typed['@type']);
  let predicate: AccessLogPredicate | undefined;
  if (accessLog.filter !== undefined) {
    const f = compileAccessLogFilter(accessLog.filter as AccessLogFilter);
    if (!f.ok) return { errors: [f.error], warnings: [] };
    predicate = f.predicate;
  }
  let formatResult: FormatCompileResult;
  let openSink: () => AccessLogSink;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  switch (type) {
    case FILE_ACCESS_LOG_TYPE: {
      const path = (typed as FileAccessLogConfig).path;
      if (typeof path !== 'string' || path === '') return { errors: ['FileAccessLog: path is required'], warnings: [] };
      formatResult = compileFormat(typed as FileAccessLogConfig, ctx, true);
      const manager = options.manager;
      openSink = () =>
        manager !== undefined
          ? manager.file(path)
          : path === '/dev/stdout'
            ? streamSink(stdout, options, 'stdout')
            : path === '/dev/stderr'
              ? streamSink(stderr, options, 'stderr')
              : openFileSink(path, options);
      break;
    }
    case STDOUT_ACCESS_LOG_TYPE:
    case STDERR_ACCESS_LOG_TYPE: {
      formatResult = compileFormat(typed as StreamAccessLogConfig, ctx, false);
      const isStdout = type === STDOUT_ACCESS_LOG_TYPE;
      const manager = options.manager;
      openSink = () =>
        manager !== undefined
          ? isStdout
            ? manager.stdout()
            : manager.stderr()
          : streamSink(isStdout ? stdout : stderr, options, isStdout ? 'stdout' : 'stderr');
      break;
    }
    default:
      return { errors: [`access logger ${type} is not implemented by tsproxy`], warnings: [] };
  }
  if (!formatResult.formatter) return { errors: formatResult.errors, warnings: formatResult.warnings };
  let sink: AccessLogSink;
  try {
    sink = openSink();
  } catch (err) {
    return { errors: [`access log: cannot open ${String((typed as FileAccessLogConfig).path)}: ${(err as Error).message}`], warnings: formatResult.warnings };
  }
  return { logger: makeLogger(formatResult.formatter, sink, predicate, monotonicNow, options.onError), errors: [], warnings: formatResult.warnings };
}

function makeLogger(
  formatter: AccessLogFormatter,
  sink: AccessLogSink,
  predicate: AccessLogPredicate | undefined,
  monotonicNow: () => number,
  onError: ((err: Error) => void) | undefined,
): AccessLogger {
  return {
    log(info: StreamInfo): void {
      try {
        if (predicate && !predicate(info, monotonicNow())) return;
        sink.write(formatter.format(info));
      } catch (err) {
        // A logging bug must never take the request path down.
        onError?.(err as Error);
      }
    },
    close: () => sink.close(),
  };
}

/**
 * Builds the logger for one AccessLog. Throws AccessLogConfigError (no stack-trace-worthy
 * failure: its message names the problem) on an unknown operator, bad format or unopenable file.
 */
export function createAccessLogger(accessLog: AccessLog, options: AccessLoggerOptions = {}): AccessLogger {
  const r = compileAccessLog(accessLog, options);
  if (!r.logger) throw new AccessLogConfigError(r.errors, r.warnings);
  return r.logger;
}

/** Several AccessLogs as one logger (an HCM's `access_log` list). Throws like createAccessLogger. */
export function createAccessLoggers(accessLogs: readonly AccessLog[] | undefined, options: AccessLoggerOptions = {}): AccessLogger {
  const loggers: AccessLogger[] = [];
  try {
    for (const a of accessLogs ?? []) loggers.push(createAccessLogger(a, options));
  } catch (err) {
    // Release the files already opened for the earlier entries.
    for (const l of loggers) void l.close();
    throw err;
  }
  if (loggers.length === 0) return { log: () => {}, close: () => Promise.resolve() };
  if (loggers.length === 1) return loggers[0]!;
  return {
    log(info) {
      for (const l of loggers) l.log(info);
    },
    async close() {
      await Promise.all(loggers.map((l) => l.close()));
    },
  };
}
