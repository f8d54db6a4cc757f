'use strict';
// getOriginalDst(fd) -> {address, port, family: 4 | 6} | undefined | {error: 'EBADF', errno: 9}
// The compiled addon (node-gyp rebuild) does the getsockopt; this file names errno values.
const { constants } = require('node:os');
const binding = require('./build/Release/original_dst.node');

const names = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

function getOriginalDst(fd) {
  const r = binding.getOriginalDst(fd);
  if (typeof r === 'number') return { error: names.get(r) || `errno ${r}`, errno: r };
  return r;
}

module.exports = { getOriginalDst };
