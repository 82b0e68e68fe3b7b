// Large media made cheaply: a real encoder-made MP4 whose media data box is grown with zeros.
import { Readable } from 'node:stream';

const ZEROS = Buffer.alloc(1024 * 1024);

/**
 * An MP4 of `extraBytes` more than `mp4` (whose `moov` box must follow its
 * `mdat` box): the `mdat` box is grown by zeros after its real samples, so
 * every sample offset in `moov` still points at the same bytes and the file
 * plays as before. Streamed, never held in memory.
 *
 * @example
 * ```ts
 * const { stream, size } = mp4WithZeroedMdat(fixtureBytes, 1024 ** 3); // a 1 GiB moov-at-end MP4
 * ```
 */
export function mp4WithZeroedMdat(mp4: Buffer, extraBytes: number): { stream: Readable; size: number } {
  const boxes = topLevelBoxes(mp4);
  const mdat = boxes.find((box) => box.type === 'mdat');
  const moov = boxes.find((box) => box.type === 'moov');
  if (!mdat || !moov || moov.start < mdat.start) throw new Error('expected an mdat box followed by a moov box');
  const mdatEnd = mdat.start + mdat.size;
  const grown = mdat.size + extraBytes;
  if (grown > 0xffff_ffff) throw new Error('a 32-bit mdat size is kept: grow by less than 4 GiB');
  const head = Buffer.from(mp4.subarray(0, mdatEnd));
  head.writeUInt32BE(grown, mdat.start);
  async function* bytes(): AsyncGenerator<Buffer> {
    yield head;
    for (let left = extraBytes; left > 0; left -= ZEROS.length) yield ZEROS.subarray(0, Math.min(left, ZEROS.length));
    yield mp4.subarray(mdatEnd);
  }
  return { stream: Readable.from(bytes(), { objectMode: false }), size: mp4.length + extraBytes };
}

function topLevelBoxes(file: Buffer): Array<{ type: string; start: number; size: number }> {
  const boxes: Array<{ type: string; start: number; size: number }> = [];
  for (let at = 0; at + 8 <= file.length; ) {
    const size = file.readUInt32BE(at);
    if (size < 8) throw new Error('only 32-bit box sizes are expected here');
    boxes.push({ type: file.toString('latin1', at + 4, at + 8), start: at, size });
    at += size;
  }
  return boxes;
}
