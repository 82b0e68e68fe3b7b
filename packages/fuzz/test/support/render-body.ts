import type { BodyChoice } from './arbitraries.js';
import { NOT_MEDIA, forged, overflowBytes } from './content.js';
import type { UploadModel } from './model.js';
import type { Authorization } from './render.js';
import type { BodyPlan } from './wire.js';

/** Bodies stay small so that a huge upload costs no more than a small one. */
const MAX_BODY = 256 * 1024;

/**
 * The body bytes: for a PATCH of a known upload, the upload's own content at
 * the offset the request names (forged bytes when the key is wrong, a
 * non-media head when asked); otherwise a little junk.
 */
export function renderBody(method: string, choice: BodyChoice, upload: UploadModel | undefined, start: number, auth: Authorization): BodyPlan {
  if (method !== 'PATCH' || !upload) return sanePlan(Buffer.from('junk body'.slice(0, Math.round(choice.fraction * 9))), choice);
  const room = upload.size - start;
  const length = {
    zero: 0,
    tiny: Math.min(room, 1 + Math.floor(choice.fraction * 62)),
    part: Math.floor(choice.fraction * room),
    rest: room,
    over: room + 1 + Math.floor(choice.fraction * 100),
  }[choice.size];
  const capped = Math.min(length, MAX_BODY);
  let payload: Buffer = Buffer.concat([upload.content.slice(start, start + capped), overflowBytes(Math.max(0, capped - room))]);
  if (choice.source === 'not-media' && start === 0) payload = NOT_MEDIA[Math.floor(choice.fraction * NOT_MEDIA.length) % NOT_MEDIA.length] ?? payload;
  if (auth === 'no') payload = forged(payload, start);
  return fullPlan(payload, choice);
}

/** Any framing, including truncated and broken ones (PATCH only). */
function fullPlan(payload: Buffer, choice: BodyChoice): BodyPlan {
  const sent = Math.floor(choice.cut * payload.length);
  const declared = {
    exact: String(payload.length),
    less: String(Math.max(0, payload.length - 1 - Math.floor(choice.fraction * 10))),
    more: String(payload.length + 1 + Math.floor(choice.fraction * 1000)),
    junk: choice.junkLength,
  }[choice.declared];
  const plan: BodyPlan = {
    payload,
    framing: choice.framing,
    declared,
    // without framing, any byte sent is read by Node as the start of the next request
    sent: choice.framing === 'none' && choice.cut === 1 ? 0 : sent,
    chunkSizes: choice.chunkSizes,
    chunkFault: choice.chunkFault === 'none' || choice.framing !== 'chunked' ? undefined : choice.chunkFault,
    chunkExtras: choice.chunkExtras,
    ending: choice.ending,
  };
  // An unfinished request left open would only wait for the idle timeout (resources.test.ts covers that).
  const unfinished = plan.sent < payload.length || (plan.framing === 'length' && Number(declared) > plan.sent);
  if (unfinished && plan.ending === 'wait') plan.ending = 'fin';
  return plan;
}

/** A complete, well-framed body (every method but PATCH: no state change may hang on a lost answer). */
function sanePlan(payload: Buffer, choice: BodyChoice): BodyPlan {
  const framing = choice.framing === 'none' ? 'length' : choice.framing;
  return { payload, framing, sent: payload.length, chunkSizes: choice.chunkSizes, ending: 'wait' };
}

/** At most how many payload bytes Node can hand to the core. */
export function deliverable(body: BodyPlan): number {
  if (body.framing === 'none') return 0;
  if (body.framing === 'length') return Math.min(body.sent, Number(body.declared) || 0);
  return body.sent;
}
