import type { RandomAccessReader } from './object-tokenizer.js';

/** Enough of the first frame for its header, side information and a Xing/VBRI header with the LAME tag. */
const FIRST_FRAME_BYTES = 512;

/**
 * The exact length of an MP3 whose first frame carries a Xing/Info header
 * (LAME, FFmpeg) or a VBRI header (Fraunhofer): the frame count, less the
 * encoder delay and padding the LAME tag or the VBRI header states, in
 * seconds. MediaInfo and `music-metadata` read the frame count but not the
 * delay and padding, which add up to ~70 ms. `undefined` for a file without
 * such a header.
 *
 * @example
 * ```ts
 * await mpegAudioLength(new ObjectCursor(store, id, size)); // 2.9 (113 frames of 1152 samples at 44.1 kHz, less 2257)
 * ```
 */
export async function mpegAudioLength(reader: RandomAccessReader): Promise<number | undefined> {
  const id3 = await bytesAt(reader, 0, 10);
  const start = id3.subarray(0, 3).toString('latin1') === 'ID3' ? 10 + syncSafe(id3, 6) + (id3[5]! & 0x10 ? 10 : 0) : 0;
  const frame = await bytesAt(reader, start, FIRST_FRAME_BYTES);
  const header = frameHeader(frame);
  if (!header) return undefined;
  const found = xingCount(frame, header.sideInfoBytes + 4) ?? vbriCount(frame);
  if (!found || found.frames === 0) return undefined;
  const samples = found.frames * header.samplesPerFrame - found.delay - found.padding;
  return samples > 0 ? samples / header.sampleRate : undefined;
}

interface FrameHeader {
  sampleRate: number;
  samplesPerFrame: number;
  sideInfoBytes: number;
}

interface FrameCount {
  frames: number;
  delay: number;
  padding: number;
}

const SAMPLE_RATES = [44_100, 48_000, 32_000];

/** A Layer III frame header: the only layer with Xing and VBRI headers. */
function frameHeader(frame: Buffer): FrameHeader | undefined {
  if (frame.length < 4 || frame[0] !== 0xff || (frame[1]! & 0xe0) !== 0xe0) return undefined;
  const version = (frame[1]! >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const layer = (frame[1]! >> 1) & 3; // 1: Layer III
  const rateIndex = (frame[2]! >> 2) & 3;
  if (version === 1 || layer !== 1 || rateIndex === 3) return undefined;
  const mono = frame[3]! >> 6 === 3;
  const mpeg1 = version === 3;
  return {
    sampleRate: SAMPLE_RATES[rateIndex]! / (mpeg1 ? 1 : version === 2 ? 2 : 4),
    samplesPerFrame: mpeg1 ? 1152 : 576,
    sideInfoBytes: mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17,
  };
}

/** A Xing (VBR) or Info (CBR) header after the side information, with the LAME tag's delay and padding. */
function xingCount(frame: Buffer, at: number): FrameCount | undefined {
  const tag = frame.toString('latin1', at, at + 4);
  if ((tag !== 'Xing' && tag !== 'Info') || frame.length < at + 12) return undefined;
  const flags = frame.readUInt32BE(at + 4);
  if (!(flags & 1)) return undefined;
  const frames = frame.readUInt32BE(at + 8);
  // Frames, then bytes, table of contents and quality when their flags are set; then the LAME tag.
  const lame = at + 12 + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
  if (frame.length < lame + 24 || !/^(LAME|Lavf|Lavc)/.test(frame.toString('latin1', lame, lame + 4))) {
    return { frames, delay: 0, padding: 0 };
  }
  const delay = (frame[lame + 21]! << 4) | (frame[lame + 22]! >> 4);
  const padding = ((frame[lame + 22]! & 0x0f) << 8) | frame[lame + 23]!;
  return { frames, delay, padding };
}

/** A VBRI header, always 32 bytes after the frame header. */
function vbriCount(frame: Buffer): FrameCount | undefined {
  if (frame.length < 36 + 18 || frame.toString('latin1', 36, 40) !== 'VBRI') return undefined;
  return { frames: frame.readUInt32BE(36 + 14), delay: frame.readUInt16BE(36 + 6), padding: 0 };
}

function syncSafe(bytes: Buffer, at: number): number {
  return ((bytes[at]! & 0x7f) << 21) | ((bytes[at + 1]! & 0x7f) << 14) | ((bytes[at + 2]! & 0x7f) << 7) | (bytes[at + 3]! & 0x7f);
}

async function bytesAt(reader: RandomAccessReader, position: number, length: number): Promise<Buffer> {
  const target = Buffer.alloc(length);
  return target.subarray(0, await reader.read(target, position));
}
