import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCppDouble } from '../../../src/analysis/router_check/cpp_format.js';

test('formats like std::cout << double (precision 6, %g)', () => {
  const cases: Array<[number, string]> = [
    [100, '100'],
    [1, '1'],
    [8, '8'],
    [0, '0'],
    [7.448630136986301, '7.44863'],
    [100 / 3, '33.3333'],
    [200 / 3, '66.6667'],
    [12.5, '12.5'],
    [0.5, '0.5'],
    [0.0001, '0.0001'],
    [0.0000123, '1.23e-05'],
    [1234567, '1.23457e+06'],
    [999999.5, '1e+06'],
    [123456, '123456'],
    [NaN, 'nan'],
  ];
  for (const [v, s] of cases) assert.equal(formatCppDouble(v), s, String(v));
});
