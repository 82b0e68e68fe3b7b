import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTus, type Tus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { randomData, sha256, listenOnLoopback, type ServedTus } from '@tuskit/core/testing';
import { FileStore } from '@tuskit/store-fs';
import { TOOLS, commandAvailability, describeWithTool, type ToolAvailability } from '@tuskit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const JAR = join(homedir(), '.m2/repository/io/tus/java/client/tus-java-client/0.5.0/tus-java-client-0.5.0.jar');
const PROGRAM = fileURLToPath(new URL('./clients/TusJavaUpload.java', import.meta.url));

function javaClientAvailability(): ToolAvailability {
  const java = commandAvailability('java', ['-version']);
  if (!java.available) return java;
  return existsSync(JAR) ? { available: true } : { available: false, reason: `${JAR} is missing` };
}

/**
 * io.tus.java.client against a plain TUS engine (creation on, any content, fs store): the JDK cannot send
 * PATCH, so every chunk arrives as a POST with X-HTTP-Method-Override: PATCH.
 */
describeWithTool(TOOLS.tusJava, javaClientAvailability(), 'tus-java-client (method override)', () => {
  let directory: string;
  let store: FileStore;
  let tus: Tus;
  let served: ServedTus;
  const requests: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tuskit-java-'));
    store = new FileStore({ directory: join(directory, 'store') });
    tus = createTus({ store, basePath: '/files', creation: true, accept: false });
    const handler = toNodeHandler(tus);
    served = await listenOnLoopback(
      createServer((req, res) => {
        requests.push(`${req.method} ${req.headers['x-http-method-override'] ?? ''}`.trim());
        handler(req, res);
      }),
    );
  });
  afterAll(async () => {
    await tus.close();
    await served.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('uploads 1 MiB in 256 KiB chunks, byte-exact, every chunk overridden', { timeout: 60_000 }, async () => {
    const bytes = randomData(1024 * 1024);
    const file = join(directory, 'upload.bin');
    await writeFile(file, bytes);
    const { stdout } = await run('java', ['-cp', JAR, PROGRAM, `${served.origin}/files`, file, String(256 * 1024)]);
    const id = stdout.trim().split('/').pop() ?? '';
    expect(await sha256(await store.read(id))).toBe(await sha256(bytes));
    // The creation POST, then at least one overridden POST per 256 KiB (the client may end with an empty one).
    expect(requests[0]).toBe('POST');
    expect(requests.slice(1).every((r) => r === 'POST PATCH')).toBe(true);
    expect(requests.length - 1).toBeGreaterThanOrEqual(4);
  });
});
