import { TusError, type DetectedFormat, type TusHooks } from '@tuskit/core';
import type { Logger } from './config.js';
import type { Catalog } from './db.js';
import { killSwitch, type TestFault } from './faults.js';
import type { ProcessingQueue } from './processing.js';

/** Options of {@link assetLifecycle}. */
export interface AssetLifecycleOptions {
  catalog: Catalog;
  processing: ProcessingQueue;
  logger: Logger;
  /** Called once for each asset these hooks move to `failed`, with its error code. */
  onFailed?: (code: string) => void;
  /** `TUSKIT_TEST_FAULT`, for the crash tests. */
  testFault?: TestFault | undefined;
}

/**
 * The TUS hooks that move an asset through its states: the first chunk sets
 * its media fields (or fails it), the last byte hands it to processing (which any instance may claim),
 * and termination or expiry delete it. Each change applies only from the
 * state it expects, so events can never go back in time.
 *
 * @example
 * ```ts
 * const tus = createTus({ store, basePath: '/v1/uploads', hooks: assetLifecycle({ catalog, processing, logger }) });
 * ```
 */
export function assetLifecycle({ catalog, processing, logger, onFailed, testFault }: AssetLifecycleOptions): TusHooks<unknown> {
  const kill = killSwitch(testFault);
  const remove = async (id: string, why: string) => {
    await catalog.deleteAsset(id);
    logger.info(`asset ${id} deleted: ${why}`);
  };
  return {
    async onMediaDetected({ upload, media }) {
      const known = await catalog.transition(upload.id, 'pending_upload', {
        // The server's rule (ANY_AUDIO_OR_VIDEO) admits nothing else.
        type: media.type === 'audio' ? 'audio' : 'video',
        content_type: media.mime,
        extension: media.ext,
        size_bytes: upload.size,
      });
      if (!known) throw new TusError('not_found', 'No asset is waiting for this upload.');
    },
    async onMediaRejected({ upload, detected }) {
      const failed = await catalog.transition(upload.id, 'pending_upload', {
        state: 'failed',
        error_code: 'unsupported_media_type',
        error_message: rejectionMessage(detected),
      });
      if (failed) onFailed?.('unsupported_media_type');
    },
    // At least once (after a crash, again): a repeated call finds the asset past `pending_upload` and changes
    // nothing; an asset already `processing` is claimed by the processing queue whoever woke it.
    async onComplete({ upload }) {
      kill('kill-before-processing');
      const moved = await catalog.transition(upload.id, 'pending_upload', { state: 'processing' });
      kill('kill-after-processing');
      if (moved) processing.wake();
    },
    onTerminated: ({ upload }) => remove(upload.id, 'upload terminated'),
    onExpired: ({ upload }) => remove(upload.id, 'upload expired'),
  };
}

function rejectionMessage(detected: DetectedFormat | undefined): string {
  const what = detected ? `${detected.mime} (.${detected.ext})` : 'of no known format';
  return `The file is ${what}, not audio or video.`;
}
