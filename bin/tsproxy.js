#!/usr/bin/env node
// Entry point. Checks the running Node before loading anything that needs a newer one.
const MIN = [22, 22, 2]; // re2 1.27 (^22.22.2 || ^24.15.0), reusePort, --disable-sigusr1
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
const { main } = await import('../dist/src/cli/main.js');
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tsproxy: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
