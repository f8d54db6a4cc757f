// The shared route behaviour suites, run with the route index set to 'off' (route_index.ts): the
// index and the linear scan must pass the same cases. See also route_index.test.ts.
import { suite } from './helpers.js';

suite.routeIndex = 'off';
await import('./route.test.js');
await import('./redirect.test.js');
await import('./finalize.test.js');
