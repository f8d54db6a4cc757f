import http from 'node:http';
import net from 'node:net';
import { Client } from 'undici';
const srv = http.createServer((req, res) => { console.log('srv got', req.method, req.url, req.headers); res.end('hello'); });
await new Promise(r => srv.listen(0, '127.0.0.1', r));
const port = srv.address().port;
const sock = net.connect({ host: '127.0.0.1', port });
await new Promise(r => sock.once('connect', r));
const c = new Client(`http://127.0.0.1:${port}`, { connect: (o, cb) => cb(null, sock), pipelining: 1 });
c.on('disconnect', (o, t, e) => console.log('disc', e.message));
c.dispatch({ path: '/', method: 'GET', headers: ['host', 'x'], body: null }, {
  onConnect() {}, onHeaders(s) { console.log('status', s); return true; }, onData() { return true; }, onComplete() { console.log('done'); c.close(); srv.close(); }, onError(e) { console.log('err', e.message); c.close(); srv.close(); } });
