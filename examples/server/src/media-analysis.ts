import type { AudioTrack, GeneralTrack, MediaInfo, MediaInfoResult, VideoTrack } from 'mediainfo.js';
import mediaInfoFactory from 'mediainfo.js';
import { parseFromTokenizer } from 'music-metadata';
import { mpegAudioLength } from './mpeg-audio-length.js';
import { ObjectTokenizer, type RandomAccessReader } from './object-tokenizer.js';

/**
 * What a probe found in a media file. Every field is optional: a container
 * may not say, and a field is reported only when the file states it.
 */
export interface MediaDetails {
  /** Seconds. */
  duration?: number;
  /** Overall bit rate of the file, bits per second. */
  bitrate?: number;
  /** The first audio stream. */
  audio?: AudioDetails;
  /** The first video stream. */
  video?: VideoDetails;
}

/** The first audio stream of a file; codecs are named as FFmpeg names them (`aac`, `mp3`, `opus`…). */
export interface AudioDetails {
  codec?: string;
  /** Hz. */
  sampleRate?: number;
  channels?: number;
  /** Bits per second. */
  bitrate?: number;
}

/** The first video stream of a file; codecs are named as FFmpeg names them (`h264`, `vp9`…). */
export interface VideoDetails {
  codec?: string;
  width?: number;
  height?: number;
  /** Frames per second. */
  frameRate?: number;
  /** Bits per second. */
  bitrate?: number;
}

/** What {@link analyzeMedia} knows about the bytes before reading them. */
export interface AnalyzeOptions {
  /** Size of the object in bytes. */
  size: number;
  /** The MIME type detected on the first chunk. */
  contentType: string | null;
}

/** MediaInfo's read size: the head of a file in one read, and an MP4 `moov` box in a few. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Reads what a media file says about itself through `reader`, which serves
 * bytes at any offset: MediaInfoLib asks for the parts it needs (the head,
 * an MP4 `moov` box wherever it is, the end of an MPEG-TS stream), so the
 * rest of a large file is never read. A few durations come from elsewhere
 * (see `statedLength`): MP3 headers read here, and `music-metadata` for
 * streams whose frames must be counted and for Ogg Opus.
 *
 * @example
 * ```ts
 * const details = await analyzeMedia(new ObjectCursor(store, id, size), { size, contentType: 'video/mp4' });
 * details.duration; // 3.0
 * ```
 */
export async function analyzeMedia(reader: RandomAccessReader, options: AnalyzeOptions): Promise<MediaDetails> {
  const result = await mediaInfo(reader, options.size);
  const tracks = result.media?.track ?? [];
  const general = tracks.find((t): t is GeneralTrack => t['@type'] === 'General');
  const audio = tracks.find((t): t is AudioTrack => t['@type'] === 'Audio');
  const video = tracks.find((t): t is VideoTrack => t['@type'] === 'Video');
  const details: MediaDetails = {
    duration: positive(general?.Duration),
    bitrate: wholeNumber(general?.OverallBitRate),
    audio: audio && withoutUndefined(audioDetails(audio)),
    video: video && withoutUndefined(videoDetails(video)),
  };
  const length = await statedLength(reader, options, general, audio);
  if (length !== undefined) {
    details.duration = length;
    details.bitrate ??= Math.round((options.size * 8) / length);
  }
  return withoutUndefined(details);
}

async function mediaInfo(reader: RandomAccessReader, size: number): Promise<MediaInfoResult> {
  const analyzer: MediaInfo<'object'> = await mediaInfoFactory({ format: 'object', chunkSize: CHUNK_BYTES });
  try {
    return await analyzer.analyzeData(size, async (length, offset) => {
      const target = new Uint8Array(length);
      return target.subarray(0, await reader.read(target, offset));
    });
  } finally {
    analyzer.close();
  }
}

/**
 * The duration where MediaInfo's is not the best: MP3 with a Xing/VBRI
 * header (trimmed of encoder delay and padding), MP3 that is neither that
 * nor CBR and AAC in ADTS (MediaInfo estimates them from the part it read:
 * their frames are counted), and Ogg Opus (MediaInfo ignores its pre-skip).
 */
async function statedLength(
  reader: RandomAccessReader,
  options: AnalyzeOptions,
  general: GeneralTrack | undefined,
  audio: AudioTrack | undefined,
): Promise<number | undefined> {
  switch (general?.Format) {
    case 'MPEG Audio':
      return (await mpegAudioLength(reader)) ?? (audio?.BitRate_Mode === 'CBR' ? undefined : await countedDuration(reader, options));
    case 'ADTS':
      return countedDuration(reader, options);
    case 'Ogg':
      return audio?.Format === 'Opus' ? countedDuration(reader, options) : undefined;
    default:
      return undefined;
  }
}

async function countedDuration(reader: RandomAccessReader, options: AnalyzeOptions): Promise<number | undefined> {
  const mimeType = options.contentType ?? undefined;
  const tokenizer = new ObjectTokenizer(reader, { size: options.size, mimeType });
  try {
    const { format } = await parseFromTokenizer(tokenizer, { duration: true, skipCovers: true });
    return positive(format.duration);
  } finally {
    await tokenizer.close();
  }
}

function audioDetails(track: AudioTrack): AudioDetails {
  return {
    codec: codecName(track),
    sampleRate: wholeNumber(track.SamplingRate),
    channels: wholeNumber(track.Channels),
    bitrate: wholeNumber(track.BitRate),
  };
}

function videoDetails(track: VideoTrack): VideoDetails {
  return {
    codec: codecName(track),
    width: wholeNumber(track.Width),
    height: wholeNumber(track.Height),
    frameRate: positive(track.FrameRate),
    bitrate: wholeNumber(track.BitRate),
  };
}

/** MediaInfo's format names, as the codec names FFmpeg (and most media APIs) use. */
const CODEC_NAMES: Record<string, string> = {
  AVC: 'h264',
  HEVC: 'hevc',
  AV1: 'av1',
  VP8: 'vp8',
  VP9: 'vp9',
  'MPEG-4 Visual': 'mpeg4',
  'H.263': 'h263',
  ProRes: 'prores',
  JPEG: 'mjpeg',
  AAC: 'aac',
  Opus: 'opus',
  Vorbis: 'vorbis',
  FLAC: 'flac',
  PCM: 'pcm',
  ALAC: 'alac',
  'AC-3': 'ac3',
  'E-AC-3': 'eac3',
  DTS: 'dts',
  AMR: 'amr',
};

function codecName(track: AudioTrack | VideoTrack): string | undefined {
  const format = track.Format;
  if (!format) return undefined;
  if (format === 'MPEG Audio') return { 'Layer 1': 'mp1', 'Layer 2': 'mp2' }[track.Format_Profile ?? ''] ?? 'mp3';
  if (format === 'MPEG Video') return track.Format_Version === 'Version 1' ? 'mpeg1video' : 'mpeg2video';
  return CODEC_NAMES[format] ?? format.toLowerCase().replaceAll(' ', '-');
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

function wholeNumber(value: number | undefined): number | undefined {
  const number = positive(value);
  return number === undefined ? undefined : Math.round(number);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
