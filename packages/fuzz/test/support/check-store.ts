import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tuskit/store-fs';
import { checkCoreResponse, invariant } from './check-response.js';
import type { Tally } from './check-exchange.js';
import type { FuzzModel, UploadModel } from './model.js';
import { tusRequest } from './client.js';
import { headerOf } from './raw-http.js';
import { BASE_PATH, type ServerProcess } from './server-process.js';

/** Figures of the store checks, for the report. */
export interface StoreTally {
  checks: number;
  uploadsVerified: number;
  bytesVerified: number;
  /** Acknowledged bytes the store no longer holds: must stay 0. */
  bytesLost: number;
}

/**
 * The store-level invariants, checked when no request is in flight: nothing
 * outside the store directory, only `<id>` / `<id>.json` of created uploads
 * inside it, and for every checked upload a stored offset within
 * [acknowledged, length] equal to the data file's size, whose bytes are
 * exactly what the fuzzer sent. `all` checks every upload, otherwise only
 * those touched since the last check.
 */
export async function checkStore(server: ServerProcess, model: FuzzModel, tally: Tally, totals: StoreTally, all: boolean): Promise<void> {
  const uploads = model.uploads.filter((u) => all || u.dirty);
  // A HEAD takes the upload's lock: any writer still persisting finishes first.
  for (const upload of uploads) await settle(server.port, upload, tally);
  await server.stats();
  invariant(server.alive && server.crashes.length === 0, 'the server crashed', server.crashes);
  invariant(server.errors.length === 0, 'the core reported unexpected errors (onError)', server.errors);
  invariant((await readdir(server.root)).join() === 'store', 'a file was written outside the store directory', await readdir(server.root));
  const names = await readdir(server.config.storeDir);
  checkNames(names, model);
  const store = new FileStore({ directory: server.config.storeDir });
  for (const upload of uploads) await checkUpload(store, server, upload, names, totals);
  totals.checks += 1;
}

async function settle(port: number, upload: UploadModel, tally: Tally): Promise<void> {
  const response = await tusRequest(port, { method: 'HEAD', path: `${BASE_PATH}/${upload.id}` });
  tally.requests += 1;
  checkCoreResponse(response, 'HEAD');
  invariant(response.status === 200 || response.status === 404, `HEAD of ${upload.id} answered ${response.status}`, response);
  const exists = response.status === 200;
  invariant(!(exists && upload.state === 'gone'), `a removed upload is back: ${upload.id}`, response);
  invariant(!(!exists && upload.state === 'live'), `a live upload vanished: ${upload.id}`, response);
  if (upload.state === 'maybe-gone') upload.state = exists ? 'live' : 'gone';
  if (exists) upload.known = Number(headerOf(response, 'upload-offset'));
}

function checkNames(names: readonly string[], model: FuzzModel): void {
  const allowed = model.allowedNames();
  const strangers = names.filter((name) => !allowed.has(name));
  const unaccountedIds = new Set(strangers.map((name) => name.replace(/\.json$/, '')));
  invariant(
    strangers.every((name) => /^[A-Za-z0-9_-]{1,128}(\.json)?$/.test(name)) && unaccountedIds.size <= model.unaccounted,
    'the store directory holds files of no created upload',
    strangers,
  );
}

async function checkUpload(store: FileStore, server: ServerProcess, upload: UploadModel, names: readonly string[], totals: StoreTally): Promise<void> {
  const info = (await store.open(upload.id))?.info;
  if (upload.state === 'gone') {
    invariant(info === undefined && !names.includes(upload.id) && !names.includes(`${upload.id}.json`), `leftovers of removed upload ${upload.id}`, names);
    upload.dirty = false;
    return;
  }
  invariant(info !== undefined, `live upload ${upload.id} missing from the store`);
  const { offset } = info;
  totals.bytesLost += Math.max(0, upload.acked - offset);
  invariant(offset <= upload.size, `stored offset ${offset} beyond length ${upload.size}`, upload.id);
  invariant(offset >= upload.acked, `stored offset ${offset} below the acknowledged ${upload.acked}: bytes lost`, upload.id);
  const data = join(server.config.storeDir, upload.id);
  invariant((await stat(data)).size === offset, `data file size differs from the stored offset ${offset}`, upload.id);
  const bytes = await readFile(data);
  const sent = upload.content.slice(0, offset);
  if (!bytes.equals(sent)) {
    const first = bytes.findIndex((byte, i) => byte !== sent[i]);
    invariant(false, `stored bytes differ from what was sent, first at ${first}`, { id: upload.id, offset });
  }
  const completions = server.hookCount('onComplete', upload.id);
  invariant(completions <= 1, `onComplete fired ${completions} times for one upload`, upload.id);
  invariant(completions === 0 || (offset === upload.size && info.finalized), 'onComplete before the upload was complete', upload.id);
  totals.uploadsVerified += 1;
  totals.bytesVerified += offset;
  upload.dirty = false;
}
