#!/usr/bin/env node
// Entry point. First of all, no debugger from outside (docs/serve.md "Signals and the debugger"):
// a SIGUSR1 listener replaces the handler through which Node would open its inspector on
// 127.0.0.1:9229 (`kill -USR1`, `process._debugProcess(pid)`). serve adds its own (reopening the
// access logs). Never removed: with no listener at all, SIGUSR1 would end the process.
process.on('SIGUSR1', () => {});
// Then checks the running Node before loading anything that needs a newer one.
const MIN = [22, 22, 2]; // re2 1.27 (^22.22.2 || ^24.15.0), reusePort
const have = process.versions.node.split('.').map(Number);
const tooOld = have[0] < MIN[0] || (have[0] === MIN[0] && (have[1] < MIN[1] || (have[1] === MIN[1] && have[2] < MIN[2])));
if (tooOld) {
  process.stderr.write(
    `tsproxy: Node.js ${MIN.join('.')} or later is required; this is ${process.version} (${process.execPath}).\n` +
      `In a checkout, \`npm ci\` installs the pinned Node 24 and bin/tsproxy uses it; ` +
      `otherwise install Node 24 LTS or set TSPROXY_NODE to a node binary.\n`,
  );
  process.exit(1);
}
// Node's on-disk compile cache (V8 code cache of our modules and bundles, keyed by their source): a
// command starts without parsing and compiling its code again (docs/core.md "tsproxy match cold
// start"). Where the default directory (NODE_COMPILE_CACHE, else <os.tmpdir()>/node-compile-cache)
// cannot be written, e.g. a read-only install without a writable tmpdir, Node leaves it off and
// says nothing; NODE_DISABLE_COMPILE_CACHE=1 turns it off. Builtins through
// process.getBuiltinModule: an ES import of one builds its ESM facade, for nothing here.
try {
  process.getBuiltinModule('node:module').enableCompileCache?.();
} catch {
  // Never fatal: the cache only saves time.
}
const command = process.argv[2];
// serve and top end by themselves, after their own shutdown (access logs flushed, terminal
// restored); every other command is finished when main resolves.
const LONG_RUNNING = new Set(['serve', 'top']);
// The short-lived commands run from a bundle of their own, dist/cli/<command>.js (scripts/
// bundle.mjs; docs/core.md "Third pass: per-command bundles"): one file to load instead of ~90
// modules, compiled with a code cache of what the command ran (src/cli/bundle_loader.ts). Without
// one, with one older than tsc's output of its entry (tsc ran after the last `npm run build`: the
// bundle is stale), or with TSPROXY_NO_BUNDLE=1 (debugging), the module tree does the same,
// slower. No command, --help, --version, serve, top and replay: the module tree.
const BUNDLED = new Set(['match', 'explain', 'test', 'lint', 'diff']);
const bundleUrl = BUNDLED.has(command) && process.env.TSPROXY_NO_BUNDLE !== '1' ? new URL(`../dist/cli/${command}.js`, import.meta.url) : undefined;
const built = bundleUrl !== undefined ? currentBundle(bundleUrl, command) : undefined;
// Inspector flags (command line, NODE_OPTIONS) are refused unless TSPROXY_ALLOW_INSPECT=1. An
// inspector an early SIGUSR1 opened is closed: with a warning for serve and top (loading
// node:inspector to see it), through process._debugEnd for the others (it costs them nothing).
// The bundle loader is imported at the same time (importing it runs nothing).
const [{ guardInspector }, loader] = await Promise.all([
  import('../dist/src/cli/inspector_guard.js'),
  built !== undefined ? import('../dist/src/cli/bundle_loader.js') : undefined,
]);
const refusal = guardInspector(process.execArgv, process.env, LONG_RUNNING.has(command));
if (refusal !== undefined) {
  process.stderr.write(refusal);
  process.exit(2);
}
const bundle = loader?.loadBundle(bundleUrl, built);
const { main } = bundle ?? (await import('../dist/src/cli/main.js'));
main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // Exit as soon as what the command wrote is flushed, instead of letting the event loop wind
    // down: it spares the garbage collection V8 would still run (~20 ms of a `match` on 1,000
    // routes, docs/core.md "tsproxy match cold start"). Node's compile cache is written either
    // way; the bundle's code cache just before (only when there is none yet). A bundle's main
    // resolves once its output is written (program.ts, output/std_streams.ts), and asking
    // process.stdout whether it is would build the stream the bundle did without (~3-7 ms).
    if (LONG_RUNNING.has(command)) return;
    if (bundle === undefined) return exitWhenFlushed(code);
    bundle.saveCodeCache(process.argv, code);
    process.exit(code);
  },
  (err) => {
    process.stderr.write(`tsproxy: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);

/** Exits with `code` once stdout and stderr have taken everything written to them. */
function exitWhenFlushed(code) {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * The bundle's file status when it exists and, in a checkout (src/ beside dist/), is not older
 * than tsc's output of its entry (tsc run after the last `npm run build`); undefined otherwise.
 * An installed package has no src/: its bundles were built with the rest of dist/ when it was
 * packed, and npm gives extracted files the time of extraction, in whatever order, so their
 * times say nothing there.
 */
function currentBundle(url, name) {
  const fs = process.getBuiltinModule('node:fs');
  const built = fs.statSync(url, { throwIfNoEntry: false });
  if (built === undefined || !fs.existsSync(new URL('../src', import.meta.url))) return built;
  const entry = fs.statSync(new URL(`../dist/src/cli/entries/${name}.js`, import.meta.url), { throwIfNoEntry: false });
  return entry !== undefined && built.mtimeMs >= entry.mtimeMs ? built : undefined;
}
