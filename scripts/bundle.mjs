// Per-command bundles (`npm run build`, after tsc): dist/cli/<command>.js for each short-lived
// command, one script holding only what that command runs, which bin/tsproxy.js runs instead of
// loading ~90 modules through Node's ESM loader (docs/core.md "Third pass: per-command bundles").
// A bundle is a function expression, `(function (exports, require, module, __bundleUrl) {...})`:
// src/cli/bundle_loader.ts compiles it with node:vm and a V8 code cache written after the first
// run, so the functions a command runs are not compiled again on the next one (docs/core.md
// "Fifth pass: a code cache of what ran"). It is not an ES module: nothing may import it.
// Input: tsc's output under dist/src (entries: dist/src/cli/entries/<command>.js). One bundle per
// command and no code splitting: a shared chunk would hoist the node:* imports of every module in
// it (node:http, tls, crypto...), and a split whole-CLI bundle measured slower than the modules.
//
// What the script does to the code, and checks (the build fails otherwise):
// - Builtins and re2, imported by our modules (statically or by import()), become
//   `module.exports = require('node:fs')` modules, evaluated where the importing module is: an ES
//   import of a builtin makes Node build its ESM facade, and node:fs's facade reads the lazy
//   `fs.promises` getter, which loads ~34 more builtins. `require` is the loader's
//   createRequire(<bundle>). The bundles have no `import` at all, static or import(): a
//   vm.Script has no ES module loader of its own.
// - commander's top-level require('node:child_process') (for executable subcommands, which tsproxy
//   has none of) becomes a shim that loads it on first use (net, dgram and child_process: ~9 ms).
// - Some modules stay out, loaded from dist/src next to the bundle when needed (ON_DEMAND below).
//   Their specifiers (createRequire(import.meta.url)('<rel>'), and import('<rel>') or a static
//   import, both of which become a require where the importing code runs) and every
//   new URL('<rel>', import.meta.url) are rewritten relative to dist/cli, never absolute: the
//   package works wherever npm installs it. import.meta.url is the loader's `__bundleUrl`, the
//   bundle's file URL; any other use of import.meta fails the build.
// - A bundle holds none of the ON_DEMAND modules, nor serve's runtime or the TUI (dist/src/
//   runtime, dist/src/tui), nor the yaml, chalk, ink or react packages.
// dist/cli/meta.json is esbuild's metafile (what each bundle holds; test/cli/match_modules.test.ts).
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { Script } from 'node:vm';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_SRC = join(ROOT, 'dist', 'src');
const OUT = join(ROOT, 'dist', 'cli');

/** The short-lived commands with a bundle of their own (bin/tsproxy.js has the same list). */
const COMMANDS = ['match', 'explain', 'test', 'lint', 'diff'];

/**
 * Modules (under dist/src) left out of every bundle and loaded from dist/src when used. Such a
 * module is a second instance of whatever it imports that the bundle also holds (module state,
 * e.g. config/position.ts's WeakMaps, is not shared), so each is safe only for how it is used:
 * - config/yaml_source.js (the `yaml` package, ~90 ms to load; config_loader.js requires it for
 *   a file the fast YAML path does not take; lint's and test's modules import it): imports `yaml`
 *   and types only; returns a fresh source tree.
 * - runtime/filters/registry.js (serve's filter table; filter_support.js requires it on the first
 *   filter other than the router): lookupHttpFilter's result is only compared with undefined.
 * - runtime/local_info.js (query.js requires it for a loopback peer, diff.js imports it): only
 *   node:os; localInfoAddress() returns a string.
 * - cli/output/admin_source.js (`--admin` of match and explain): node:http through the TUI's admin
 *   client; returns plain data fetched from a running proxy.
 */
const ON_DEMAND = new Set([
  'config/yaml_source.js',
  'runtime/filters/registry.js',
  'runtime/local_info.js',
  'cli/output/admin_source.js',
]);

/** Inputs no bundle may hold (paths relative to the repo root, as in the metafile). */
const FORBIDDEN = /^(dist\/src\/(runtime|tui)\/|(.*\/)?node_modules\/(yaml|chalk|ink|react)\/)/;

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** A path relative to the bundle directory, as an import specifier ('../src/x.js'). */
function fromOut(abs) {
  const rel = relative(OUT, abs).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The dist/src-relative name of an absolute path under dist/src ('config/yaml_source.js'). */
function srcName(abs) {
  return relative(DIST_SRC, abs).split(sep).join('/');
}

/**
 * A module's text with its import.meta.url-relative specifiers rewritten relative to dist/cli.
 * Throws on any use of import.meta it does not know.
 */
function relocate(text, file) {
  let known = 0;
  const onDemand = (rel) => {
    const abs = resolve(dirname(file), rel);
    if (!ON_DEMAND.has(srcName(abs))) {
      throw new Error(`${file}: createRequire(import.meta.url)('${rel}'): not in ON_DEMAND (scripts/bundle.mjs); check its module state, then add it`);
    }
    return fromOut(abs);
  };
  // createRequire(import.meta.url)('<specifier>'): relative ones are on-demand modules.
  text = text.replace(/createRequire\(import\.meta\.url\)\((['"])([^'"]+)\1\)/g, (_m, _q, spec) => {
    known++;
    const to = spec.startsWith('.') ? onDemand(spec) : spec;
    return `createRequire(import.meta.url)(${JSON.stringify(to)})`;
  });
  // new URL('<relative>', import.meta.url): a file of the package (package.json).
  text = text.replace(/new URL\((['"])(\.{1,2}\/[^'"]*)\1, import\.meta\.url\)/g, (_m, _q, rel) => {
    known++;
    return `new URL(${JSON.stringify(fromOut(resolve(dirname(file), rel)))}, import.meta.url)`;
  });
  // const req = createRequire(import.meta.url): every call of it must name a package, not a path.
  for (const m of text.matchAll(/(?:const|let|var) (\w+) = createRequire\(import\.meta\.url\);/g)) {
    known++;
    for (const call of text.matchAll(new RegExp(`\\b${m[1]}(?:\\.resolve)?\\(([^)]*)\\)`, 'g'))) {
      if (!/^['"][^./'"]/.test(call[1])) throw new Error(`${file}: ${call[0]}: only package names can be required through ${m[1]} in a bundle`);
    }
  }
  const uses = text.match(/import\.meta\b/g)?.length ?? 0;
  if (uses !== known) throw new Error(`${file}: ${uses - known} use(s) of import.meta that scripts/bundle.mjs cannot relocate to dist/cli`);
  return text;
}

/** Throws unless commander uses child_process for spawn() only (what the lazy shim provides). */
function checkCommanderChildProcess(file) {
  const uses = new Set([...readFileSync(file, 'utf8').matchAll(/childProcess\.(\w+)/g)].map((m) => m[1]));
  const other = [...uses].filter((u) => u !== 'spawn');
  if (other.length > 0) throw new Error(`${file} uses child_process.${other.join(', ')}: extend the lazy shim in scripts/bundle.mjs`);
}

const tsproxyPlugin = {
  name: 'tsproxy-bundle',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-child-process', pluginData: args.importer } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, (args) => {
      checkCommanderChildProcess(args.pluginData);
      return {
        contents: "let cp; module.exports = { spawn: (...a) => (cp ??= require('node:child_process')).spawn(...a) };",
        loader: 'js',
      };
    });
    build.onResolve({ filter: /.*/ }, (args) => {
      const ours = args.importer.startsWith(DIST_SRC + sep);
      if (!ours || (args.kind !== 'import-statement' && args.kind !== 'dynamic-import')) return undefined;
      if (BUILTINS.has(args.path) || args.path === 're2') return { path: args.path, namespace: 'builtin-cjs' };
      if (args.path.startsWith('.')) {
        const abs = resolve(dirname(args.importer), args.path);
        if (ON_DEMAND.has(srcName(abs))) {
          // Required where the importing code runs (import() resolves to it on a later turn), so
          // that one instance serves every importer; require() of an ES module gives its namespace.
          return { path: fromOut(abs), namespace: 'require-cjs' };
        }
      }
      return undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-cjs' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    build.onLoad({ filter: /.*/, namespace: 'require-cjs' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    // What those two require is loaded by Node at run time, never by esbuild.
    build.onResolve({ filter: /.*/ }, (args) =>
      args.namespace === 'builtin-cjs' || args.namespace === 'require-cjs' ? { path: args.path, external: true } : undefined,
    );
    build.onLoad({ filter: /\.js$/ }, (args) =>
      args.path.startsWith(DIST_SRC + sep) ? { contents: relocate(readFileSync(args.path, 'utf8'), args.path), loader: 'js' } : undefined,
    );
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: Object.fromEntries(COMMANDS.map((c) => [c, join(DIST_SRC, 'cli', 'entries', `${c}.js`)])),
  outdir: OUT,
  bundle: true,
  splitting: false,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  minify: false,
  metafile: true,
  preserveSymlinks: true,
  logLevel: 'warning',
  plugins: [tsproxyPlugin],
  define: { 'import.meta.url': '__bundleUrl' },
  banner: {
    js: [
      '// Built by scripts/bundle.mjs from dist/src, run by dist/src/cli/bundle_loader.js: `require` loads',
      '// builtins, re2 and the on-demand modules; __bundleUrl is this file\'s URL.',
      '(function (exports, require, module, __bundleUrl) {',
    ].join('\n'),
  },
  footer: { js: '})' },
});

// A warning (an import() esbuild cannot follow, a require it leaves dynamic...) is a build error:
// such code would run against the bundle's location, not the module's.
const problems = result.warnings.map((w) => `esbuild: ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ''}`);
for (const [out, o] of Object.entries(result.metafile.outputs)) {
  for (const input of Object.keys(o.inputs)) {
    if (FORBIDDEN.test(input)) problems.push(`${out} holds ${input}`);
    if (input.startsWith('dist/src/') && ON_DEMAND.has(input.slice('dist/src/'.length))) problems.push(`${out} holds ${input}, an on-demand module`);
  }
  for (const i of o.imports) {
    if (i.kind === 'import-statement' || i.kind === 'dynamic-import') problems.push(`${out} imports ${i.path} (${i.kind})`);
  }
  // One function expression, as bundle_loader.ts runs it (compiled, not called).
  try {
    if (typeof new Script(readFileSync(join(ROOT, out), 'utf8'), { filename: out }).runInThisContext() !== 'function') problems.push(`${out} is not a function expression`);
  } catch (e) {
    problems.push(`${out}: ${e.message}`);
  }
}
if (problems.length > 0) throw new Error(`scripts/bundle.mjs:\n${problems.join('\n')}`);
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));
const sizes = Object.entries(result.metafile.outputs).map(([out, o]) => `${out.slice('dist/cli/'.length)} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`bundles: ${sizes.join(', ')}`);
