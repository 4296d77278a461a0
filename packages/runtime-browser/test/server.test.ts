import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackServer } from '../src/index.ts';

let server: LoopbackServer;
const dir = mkdtempSync(join(tmpdir(), 'bp-server-'));
writeFileSync(join(dir, 'model.wasm'), Buffer.from([0, 97, 115, 109]));
writeFileSync(join(dir, 'a.json'), '{"a":1}');

beforeAll(async () => {
  server = await LoopbackServer.start();
});
afterAll(() => server.close());

/** A request as the browser sends it through its proxy: the absolute URL on the request line. */
function proxied(method: string, url: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.origin);
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path: url }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('LoopbackServer', () => {
  it('listens on 127.0.0.1 only, on an ephemeral port', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves registered text, files and folders, cross-origin isolated and uncached', async () => {
    server.text('/p.html', '<!doctype html>');
    server.file('/m/model.wasm', join(dir, 'model.wasm'));
    server.folder('/pkg/x@1/', dir);
    const page = await fetch(`${server.origin}/p.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const wasm = await fetch(`${server.origin}/m/model.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect([...new Uint8Array(await wasm.arrayBuffer())]).toEqual([0, 97, 115, 109]);
    expect(await (await fetch(`${server.origin}/pkg/x@1/a.json`)).json()).toEqual({ a: 1 });
  });

  it('builds generated text once, at the first request', async () => {
    let builds = 0;
    server.text('/lazy.js', async () => `export const n = ${++builds};`);
    expect(builds).toBe(0);
    expect(await (await fetch(`${server.origin}/lazy.js`)).text()).toBe('export const n = 1;');
    expect(await (await fetch(`${server.origin}/lazy.js`)).text()).toBe('export const n = 1;');
    expect(builds).toBe(1);
  });

  it('serves nothing else: unknown paths, escapes from a folder, other methods', async () => {
    server.folder('/pkg/y@1/', dir);
    expect((await fetch(`${server.origin}/nothing`)).status).toBe(404);
    expect((await proxied('GET', `${server.origin}/pkg/y@1/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await proxied('GET', `${server.origin}/pkg/y@1/`)).status).toBe(404);
    expect((await fetch(`${server.origin}/pkg/y@1/a.json`, { method: 'PUT', body: 'x' })).status).toBe(405);
    server.remove('/pkg/y@1/');
    expect((await fetch(`${server.origin}/pkg/y@1/a.json`)).status).toBe(404);
  });

  it('as the proxy, refuses and records every other origin, loopback ports and tunnels included', async () => {
    const before = server.refused.length;
    const other = await proxied('GET', 'http://models.example.com/bert/model.onnx');
    expect(other.status).toBe(403);
    expect(other.body).toBe(
      "http://models.example.com/bert/model.onnx: bert-parity's browser reaches its loopback server only",
    );
    expect((await proxied('POST', 'http://127.0.0.1:9/x')).status).toBe(403);
    const tunnel = await new Promise<string>((ok, fail) => {
      const { port } = new URL(server.origin);
      const s = connect(Number(port), '127.0.0.1', () => s.write('CONNECT models.example.com:443 HTTP/1.1\r\n\r\n'));
      let text = '';
      s.on('data', (c) => {
        text += c.toString();
      });
      s.on('end', () => ok(text));
      s.on('error', fail);
    });
    expect(tunnel).toBe('HTTP/1.1 403 Forbidden\r\n\r\n');
    expect(server.refused.slice(before)).toEqual([
      'GET http://models.example.com/bert/model.onnx',
      'POST http://127.0.0.1:9/x',
      'CONNECT models.example.com:443',
    ]);
  });

  it("exchanges a run's tensors as raw bytes: inputs served, outputs posted and taken once", async () => {
    server.openExchange('/s/1/io/1/', new Uint8Array([1, 2, 3, 4]));
    const got = await fetch(`${server.origin}/s/1/io/1/in`);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await got.arrayBuffer())]).toEqual([1, 2, 3, 4]);
    const posted = await fetch(`${server.origin}/s/1/io/1/out`, { method: 'POST', body: new Uint8Array([9, 8, 7]) });
    expect(posted.status).toBe(204);
    expect([...server.closeExchange('/s/1/io/1/')]).toEqual([9, 8, 7]);
    // Closed: neither served nor accepted any more.
    expect((await fetch(`${server.origin}/s/1/io/1/in`)).status).toBe(404);
    server.openExchange('/s/1/io/2/', new Uint8Array(0));
    expect(() => server.closeExchange('/s/1/io/2/')).toThrow('the page posted no outputs to /s/1/io/2/out');
  });
});
