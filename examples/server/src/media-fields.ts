import type { MediaDetails } from './media-analysis.js';

/**
 * The optional stream fields of an asset's JSON: set once the asset is
 * `ready`, each only when the file states it.
 */
export interface AssetMediaFields {
  /** Overall bit rate of the file, bits per second. */
  bitrate?: number;
  /** Codec of the first audio stream, as FFmpeg names it (`aac`, `mp3`, `opus`, `flac`, `pcm`…). */
  audio_codec?: string;
  /** Hz. */
  sample_rate?: number;
  channels?: number;
  /** Codec of the first video stream, as FFmpeg names it (`h264`, `hevc`, `vp8`, `vp9`, `av1`…). */
  video_codec?: string;
  width?: number;
  height?: number;
  /** Frames per second, e.g. `25` or `29.97`. */
  frame_rate?: number;
}

/**
 * The catalog's column holding an asset's {@link AssetMediaFields}, from
 * what the probe found.
 *
 * @example
 * ```ts
 * assetMediaFields({ duration: 3, audio: { codec: 'aac', channels: 2 } }); // { media_details: '{"audio_codec":"aac","channels":2}' }
 * ```
 */
export function assetMediaFields(details: MediaDetails): { media_details: string } {
  const { audio, video } = details;
  const fields: AssetMediaFields = {
    bitrate: details.bitrate,
    audio_codec: audio?.codec,
    sample_rate: audio?.sampleRate,
    channels: audio?.channels,
    video_codec: video?.codec,
    width: video?.width,
    height: video?.height,
    frame_rate: video?.frameRate && Math.round(video.frameRate * 1000) / 1000,
  };
  return { media_details: JSON.stringify(fields) };
}

/**
 * The {@link AssetMediaFields} stored by {@link assetMediaFields}; none for
 * an asset not measured yet.
 *
 * @example
 * ```ts
 * readMediaFields('{"width":64}'); // { width: 64 }
 * ```
 */
export function readMediaFields(column: string | null): AssetMediaFields {
  return column ? (JSON.parse(column) as AssetMediaFields) : {};
}
