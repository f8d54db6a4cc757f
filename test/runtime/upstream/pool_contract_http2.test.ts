// The HTTP/2 pool (h2c, a node:http2 upstream allowing 2 streams per connection) against the pool contract.
import { poolContract } from './pool_contract.js';
import { startH2Upstream } from './h2_peers.js';

poolContract({
  name: 'HTTP/2',
  cluster: {
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions', explicit_http_config: { http2_protocol_options: {} } },
    },
  },
  slotsPerConnection: 2,
  protocolCounter: 'upstream_cx_http2_total',
  startUpstream: () => startH2Upstream({ maxConcurrentStreams: 2 }),
});
