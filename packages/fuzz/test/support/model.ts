import { UploadContent } from './content.js';

/** Where the fuzzer believes an upload is. */
export type UploadState = 'live' | 'gone' | 'maybe-gone';

/** The fuzzer's model of one upload. */
export interface UploadModel {
  id: string;
  size: number;
  /** The bytes every PATCH for this upload sends. */
  content: UploadContent;
  /** Highest Upload-Offset acknowledged by a 204: the server must never hold less. */
  acked: number;
  /** Last offset the server reported (204 or HEAD): what a well-behaved client would send. */
  known: number;
  state: UploadState;
  /** Touched since the last store check. */
  dirty: boolean;
}

/**
 * Every upload the fuzzer knows of, with the few rules that move the model:
 * a 204 PATCH acknowledges bytes, a 204 DELETE or a refused first chunk
 * removes the upload, a lost answer makes it uncertain.
 */
export class FuzzModel {
  readonly uploads: UploadModel[] = [];
  /** Authorized POSTs whose answer was lost: each may have created an upload the model cannot name. */
  unaccounted = 0;
  readonly #byId = new Map<string, UploadModel>();

  /** Registers an upload created by the host or by a POST the fuzzer saw answered. */
  add(id: string, size: number): UploadModel {
    const upload: UploadModel = { id, size, content: new UploadContent(id, size), acked: 0, known: 0, state: 'live', dirty: true };
    this.uploads.push(upload);
    this.#byId.set(id, upload);
    return upload;
  }

  get(id: string): UploadModel | undefined {
    return this.#byId.get(id);
  }

  /** The live uploads, in creation order. */
  live(): UploadModel[] {
    return this.uploads.filter((u) => u.state === 'live');
  }

  /** Picks an element by a fraction in [0, 1) (fast-check draws the fraction, the model resolves it). */
  static pick<T>(items: readonly T[], fraction: number): T | undefined {
    return items[Math.min(items.length - 1, Math.floor(fraction * items.length))];
  }

  acknowledge(upload: UploadModel, offset: number): void {
    upload.acked = Math.max(upload.acked, offset);
    upload.known = offset;
    upload.dirty = true;
  }

  observe(upload: UploadModel, offset: number): void {
    upload.known = offset;
  }

  remove(upload: UploadModel, certain: boolean): void {
    if (upload.state === 'gone') return;
    upload.state = certain ? 'gone' : 'maybe-gone';
    upload.dirty = true;
  }

  /** Names the store directory may hold: `<id>` and `<id>.json` of every upload ever created. */
  allowedNames(): Set<string> {
    return new Set(this.uploads.flatMap((u) => [u.id, `${u.id}.json`]));
  }
}
