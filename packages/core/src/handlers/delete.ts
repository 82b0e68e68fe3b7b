import { TusError } from '../errors.js';
import type { TusRequest, TusResponse } from '../http.js';
import type { Engine } from '../engine.js';
import { isComplete } from '../upload.js';

/**
 * DELETE: termination; idempotent, so an unknown id also answers 204. With
 * `disableTerminationForFinishedUploads`, a finished upload is kept (403).
 */
export async function handleDelete<Ctx>(tus: Engine<Ctx>, request: TusRequest<Ctx>, id: string): Promise<TusResponse> {
  return tus.withLock(id, () => {}, async () => {
    const upload = await tus.store.open(id);
    if (!upload) return { status: 204, headers: {} };
    if (isComplete(upload.info) && tus.options.disableTerminationForFinishedUploads) {
      throw new TusError('termination_refused');
    }
    await upload.remove();
    if (tus.diagnostics.wants('tuskit:upload:terminated')) {
      tus.diagnostics.publish('tuskit:upload:terminated', { id, upload: upload.info });
    }
    await tus.notify('onTerminated', { upload: upload.info, context: request.context });
    return { status: 204, headers: {} };
  });
}
