// A preload (node's --import) for tests and scripts/pack_smoke.mjs, never shipped: records every
// module the process resolves, by import or require, with the module that asked, and every file
// compiled as a vm.Script (a command bundle, src/cli/bundle_loader.ts; its parent is "vm.Script"),
// and prints them at exit on stderr, one "loaded <url> <parent>" line each.
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const seen = new Set();
registerHooks({
  resolve(spec, ctx, next) {
    const r = next(spec, ctx);
    seen.add(`${r.url} ${ctx.parentURL ?? '-'}`);
    return r;
  },
});
const vm = process.getBuiltinModule('node:vm');
vm.Script = new Proxy(vm.Script, {
  construct(target, args, newTarget) {
    if (args[1]?.filename) seen.add(`${pathToFileURL(args[1].filename).href} vm.Script`);
    return Reflect.construct(target, args, newTarget);
  },
});
process.on('exit', () => process.stderr.write([...seen].map((u) => `loaded ${u}\n`).join('')));
