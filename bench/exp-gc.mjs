import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { once } from 'node:events';
import { wavFile } from '@tuskit/core/testing';
const MiB = 1024 * 1024;
const [framework, flags] = [process.argv[2], process.argv.slice(3)];
const dir = `/work/main/bench/.tmp/exp/gc-${framework}-${Date.now()}`;
const config = { kind: 'tuskit', framework, basePath: '/files', storage: { backend: 'fs', directory: dir } };
const child = spawn(process.execPath, [...flags, 'dist/server.js'], { env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
let out = ''; child.stdout.on('data', (d) => (out += d));
while (!/"port":\d+/.test(out)) await once(child.stdout, "data");
const port = /"port":(\d+)/.exec(out)[1];
const body = wavFile(8 * MiB);
function req(method, path, headers, data) {
  return new Promise((resolve, reject) => { const r = request({ host: '127.0.0.1', port, method, path, headers: { 'tus-resumable': '1.0.0', ...headers } }, (res) => { res.resume(); res.on('end', () => resolve(res)); }); r.on('error', reject); r.end(data); });
}
const total = 512 * MiB;
const created = await req('POST', '/files', { 'upload-length': String(total) });
const url = new URL(created.headers.location, `http://127.0.0.1:${port}`).pathname;
const mark = out.length;
const t0 = performance.now();
for (let off = 0; off < total; off += 8 * MiB) {
  const res = await req('PATCH', url, { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(off), 'content-length': String(8 * MiB) }, body);
  if (res.statusCode !== 204) throw new Error(`status ${res.statusCode}`);
}
const ms = performance.now() - t0;
const gc = out.slice(mark);
console.log(framework, flags.join(' '), `${(512 / (ms / 1000)).toFixed(0)} MiB/s`, 'scavenges', (gc.match(/Scavenge/g) || []).length, 'mark-compacts', (gc.match(/Mark-Compact/g) || []).length);
child.kill();
