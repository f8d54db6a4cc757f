import http from 'node:http';
const { createClusterManager } = await import('/work/main/dist/src/runtime/upstream/cluster_manager.js');
const { StatsStore } = await import('/work/main/dist/src/runtime/stats/store.js');
let conns = 0;
const srv = http.createServer((req, res) => { res.end('hello'); });
srv.on('connection', () => conns++);
await new Promise(r => srv.listen(0, '127.0.0.1', r));
const port = srv.address().port;
const store = new StatsStore();
const cm = createClusterManager([{ name: 'o', type: 'STATIC', load_assignment: { cluster_name: 'o', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }] } }], store, { random: Math.random });
const cl = cm.getThreadLocalCluster('o');
function one() { return new Promise((resolve, reject) => {
  const s = { onHeaders(st, h, e) { console.log('hdr', st, e); if (e) resolve(); }, onData(c, e) { if (e) resolve(); }, onReset(r, t) { reject(new Error(r + ' ' + t)); },
    onPoolReady(enc) { enc.encodeHeaders('GET', '/', 'x', [], true); }, onPoolFailure(r, t) { reject(new Error(r + t)); } };
  cl.httpConnPool(cl.chooseHost()).newStream(s, s);
});}
for (let i = 0; i < 3; i++) { await one(); await new Promise(r => setTimeout(r, 10)); }
console.log('conns', conns, [...store.counters.values()].filter(c=>c.value).map(c => c.name + '=' + c.value).join(' '));
await cm.shutdown(); srv.close();
