/** The format `file-type` found in the head of the first chunk. */
export interface DetectedFormat {
  /** e.g. `video/mp4` */
  mime: string;
  /** e.g. `mp4` */
  ext: string;
}

/**
 * The format of an accepted first chunk, stored with the upload. The name
 * stays from the media product: any detected format is kept here.
 */
export interface MediaInfo extends DetectedFormat {
  /** The MIME top-level type: `audio` or `video` for media, else e.g. `application`, `image`. */
  type: string;
}

/**
 * What a store knows about one upload. `offset` is always what is durably
 * stored: the core never trusts anything else.
 *
 * @example
 * ```ts
 * const info = (await store.open(id))?.info;
 * if (info && info.offset === info.size) console.log('complete');
 * ```
 */
export interface UploadInfo {
  id: string;
  /**
   * Upload-Length in bytes; `undefined` while the client defers it
   * (`creation-defer-length`, only on a `LengthDeferringStore`).
   */
  size: number | undefined;
  /** Bytes durably stored. */
  offset: number;
  metadata: Record<string, string>;
  createdAt: Date;
  /** When bytes were last appended; drives the idle expiry. Absent before the first byte. */
  lastWriteAt?: Date | undefined;
  /** The format of the first chunk, set once a content rule accepted it with a known format. */
  media?: MediaInfo | undefined;
  /** True once the store has finalized the complete object. */
  finalized: boolean;
  /** The upload's part in the `concatenation` extension; absent for a plain upload. */
  concat?: UploadConcat | undefined;
}

/**
 * An upload's part in the `concatenation` extension: a `partial` upload is one
 * piece of a file, uploaded on its own (tus-js-client's `parallelUploads`); a
 * `final` upload is assembled by the store from complete partial uploads, by
 * their ids in order.
 *
 * @example
 * ```ts
 * const piece: UploadConcat = { type: 'partial' };
 * const whole: UploadConcat = { type: 'final', parts: ['0190a…', '0190b…'] };
 * ```
 */
export type UploadConcat = { type: 'partial' } | { type: 'final'; parts: readonly string[] };

/** The input of {@link DataStore.create}. */
export interface NewUpload {
  id: string;
  /** `undefined`: the length is deferred (only asked of a `LengthDeferringStore`). */
  size: number | undefined;
  metadata: Record<string, string>;
  createdAt: Date;
  /** Set for a partial upload (by `create`) and a final one (by `ConcatenationStore.concatenate`); the store keeps it. */
  concat?: UploadConcat | undefined;
}

/** Fields the core changes on an existing upload. */
export interface UploadChanges {
  media?: MediaInfo;
  /** The length of a deferred upload, declared once (only asked of a `LengthDeferringStore`). */
  size?: number;
}

/**
 * Where a finalized object lives. `location` is a URL-like string
 * (`file:///…`, `s3://bucket/key`, `gs://bucket/object`); stores may add
 * their own fields.
 */
export interface StoredObject {
  location: string;
  size: number;
  [key: string]: unknown;
}

/**
 * The default smallest upload when a content rule is set: fewer bytes than
 * this hold no detectable format. Without a rule the default minimum is 0.
 */
export const MIN_UPLOAD_SIZE = 64;
/** Default maximum upload size: 50 GiB. */
export const DEFAULT_MAX_SIZE = 50 * 1024 ** 3;

/** Input of `Tus.createUpload`. */
export interface CreateUploadInput {
  /**
   * Total size in bytes (Upload-Length); `undefined` defers it: the client
   * declares it in a later PATCH (`creation-defer-length`, needs a
   * `LengthDeferringStore`).
   */
  size: number | undefined;
  /** Your own record id; otherwise a UUIDv7 is generated. */
  id?: string;
  metadata?: Record<string, string>;
  /**
   * A partial upload of the `concatenation` extension: one piece of a file,
   * neither checked by the content rule nor reported by `onComplete` on its
   * own (the final upload assembled from it is).
   */
  partial?: boolean;
  /** Origin of the upload URL when no `publicUrl` is configured (see `Tus.originFor`). */
  origin?: string;
}

/** What `Tus.createUpload` returns: send `headers` with your own response. */
export interface CreatedUpload {
  id: string;
  /** The upload URL: absolute, or a path with the `relativeLocation` option. */
  url: string;
  expiresAt: Date;
  headers: { Location: string; 'Upload-Expires': string; 'Tus-Resumable': string };
  upload: UploadInfo;
}

/**
 * True when every byte of the upload is stored; never while its length is deferred.
 *
 * @example
 * ```ts
 * isComplete({ ...info, size: undefined, offset: 10 }); // false
 * ```
 */
export function isComplete(upload: Pick<UploadInfo, 'offset' | 'size'>): boolean {
  return upload.size !== undefined && upload.offset >= upload.size;
}
