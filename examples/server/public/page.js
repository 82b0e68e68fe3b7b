// The upload page: creates an asset, sends the file to the asset's pre-allocated
// TUS URL with tus-js-client (loaded before this module as `window.tus`), and
// polls the asset until it is ready or failed.

const KEY_STORAGE = 'tuskit.apiKey';
const RECORD_PREFIX = 'tuskit.upload:';
/** The asset is polled every 0.25 s after a change, backing off to every 4 s. */
const POLL_MIN_MS = 250;
const POLL_MAX_MS = 4000;
const SPEED_WINDOW_MS = 5000;
const FINAL_STATES = new Set(['ready', 'failed']);

const byId = (id) => document.getElementById(id);
const ui = {
  apiKey: byId('api-key'),
  file: byId('file'),
  dropZone: byId('drop-zone'),
  unfinished: byId('unfinished'),
  panel: byId('upload'),
  fileName: byId('file-name'),
  progress: byId('progress'),
  stats: byId('stats'),
  pause: byId('pause'),
  cancel: byId('cancel'),
  actions: byId('actions'),
  status: byId('status'),
  download: byId('download'),
  downloadLink: byId('download-link'),
  failure: byId('failure'),
  field: (name) => document.querySelector(`#asset [data-field="${name}"]`),
};

/** `?chunkSize=` (bytes per PATCH) exists for tests and slow proxies; by default one PATCH carries the file. */
const chunkSize = Number(new URLSearchParams(location.search).get('chunkSize')) || Number.POSITIVE_INFINITY;

/** A REST call that answered with an error. */
class ApiFailure extends Error {
  constructor(status, error) {
    super(status === 401 ? 'The API key was not accepted.' : (error?.message ?? `The server answered ${status}.`));
    this.status = status;
  }
}

function apiKey() {
  return ui.apiKey.value.trim();
}

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${apiKey()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiFailure(response.status, answer?.error);
  return answer;
}

let projectRequest;

/** The page's project, created on the first upload and reused by the next ones. */
async function projectId() {
  projectRequest ??= api('POST', '/v1/projects', { name: 'Browser uploads' }).then((project) => project.id);
  try {
    return await projectRequest;
  } catch (error) {
    projectRequest = undefined;
    throw error;
  }
}

// Unfinished uploads, by file, so that picking the same file after a reload resumes it.
const records = {
  key: (file) => `${RECORD_PREFIX}${file.name}:${file.size}:${file.lastModified}`,
  parse(key) {
    try {
      return JSON.parse(localStorage.getItem(key));
    } catch {
      return null;
    }
  },
  read(file) {
    return this.parse(this.key(file));
  },
  save(file, record) {
    localStorage.setItem(this.key(file), JSON.stringify({ name: file.name, size: file.size, ...record }));
  },
  forget(file) {
    localStorage.removeItem(this.key(file));
  },
  all() {
    return Object.keys(localStorage)
      .filter((key) => key.startsWith(RECORD_PREFIX))
      .map((key) => this.parse(key))
      .filter((record) => record !== null);
  },
};

/** The file's asset: the unfinished one recorded for it when it still awaits bytes, otherwise a new one. */
async function assetFor(file) {
  const record = records.read(file);
  if (record) {
    const asset = await api('GET', `/v1/assets/${record.assetId}`).catch((error) => {
      if (error.status === 404) return null;
      throw error;
    });
    if (asset?.state === 'pending_upload') return { asset, uploaded: record.uploaded ?? 0 };
    records.forget(file);
  }
  const asset = await api('POST', '/v1/assets', { project_id: await projectId(), size_bytes: file.size });
  records.save(file, { assetId: asset.id, uploaded: 0 });
  return { asset, uploaded: 0 };
}

/** Bytes per second over the last few seconds of progress events. */
class SpeedMeter {
  #samples = [];

  reset() {
    this.#samples = [];
  }

  add(sent, now = performance.now()) {
    this.#samples.push({ sent, now });
    while (now - this.#samples[0].now > SPEED_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0];
    const seconds = (now - first.now) / 1000;
    return seconds > 0.25 ? (sent - first.sent) / seconds : undefined;
  }
}

/** True for the 409 of a first chunk that is not audio or video: retrying cannot help. */
function isRejection(error) {
  const response = error.originalResponse;
  if (response?.getStatus() !== 409) return false;
  try {
    return JSON.parse(response.getBody()).error.code === 'unsupported_media_type';
  } catch {
    return false;
  }
}

/** One file's upload, its controls and the polling of its asset. */
class Transfer {
  #file;
  #asset;
  #upload;
  #meter = new SpeedMeter();
  #paused = false;
  #stopped = false;
  /** Ends the poll's current wait early. */
  #wakePoll = () => {};

  constructor(file, asset, uploaded) {
    this.#file = file;
    this.#asset = asset;
    this.#upload = new tus.Upload(file, {
      uploadUrl: asset.upload_url,
      headers: { authorization: `Bearer ${apiKey()}` },
      chunkSize,
      storeFingerprintForResuming: false,
      onShouldRetry: (error, attempt, options) => !isRejection(error) && tus.defaultOptions.onShouldRetry(error, attempt, options),
      onProgress: (sent, total) => this.#showProgress(sent, total),
      onChunkComplete: (_chunk, accepted) => records.save(file, { assetId: asset.id, uploaded: accepted }),
      onSuccess: () => this.#uploaded(),
      onError: (error) => void this.#failed(error),
    });
    ui.progress.max = file.size;
    this.#showProgress(uploaded, file.size);
  }

  start() {
    announce(ui.progress.value > 0 ? `Resuming at ${bytes(ui.progress.value)}…` : 'Uploading…');
    setControls({ pause: 'Pause', enabled: true });
    this.#upload.start();
    void this.#poll();
  }

  togglePause() {
    this.#paused = !this.#paused;
    this.#meter.reset();
    if (this.#paused) {
      void this.#upload.abort();
      ui.stats.textContent = `${bytes(ui.progress.value)} of ${bytes(this.#file.size)} · paused`;
      announce(`Paused at ${bytes(ui.progress.value)} of ${bytes(this.#file.size)}.`);
    } else {
      this.#upload.start();
      announce('Uploading…');
    }
    setControls({ pause: this.#paused ? 'Resume' : 'Pause', enabled: true });
  }

  async cancel() {
    this.#stop();
    setControls({ enabled: false });
    announce('Cancelling…');
    try {
      await this.#upload.abort(true);
      records.forget(this.#file);
      ui.field('state').textContent = 'deleted';
      announce('Cancelled: the upload and its asset were deleted.');
    } catch (error) {
      announce(`Could not cancel: ${error.message}`);
    }
  }

  /** Leaves the upload as it is (another file was picked); picking this file again resumes it. */
  stop() {
    this.#stop();
    void this.#upload.abort();
  }

  #stop() {
    this.#stopped = true;
    this.#meter.reset();
  }

  #showProgress(sent, total) {
    ui.progress.value = sent;
    const speed = this.#meter.add(sent);
    const parts = [`${bytes(sent)} of ${bytes(total)}`];
    if (speed > 0) parts.push(`${bytes(speed)}/s`, `${duration((total - sent) / speed)} left`);
    ui.stats.textContent = parts.join(' · ');
  }

  #uploaded() {
    this.#wakePoll();
    records.forget(this.#file);
    setControls({ enabled: false });
    ui.stats.textContent = `${bytes(this.#file.size)} uploaded`;
    announce('Uploaded; measuring the media…');
  }

  async #failed(error) {
    setControls({ enabled: false });
    const asset = await this.#refresh();
    if (asset?.state === 'failed') {
      ui.progress.value = 0;
      ui.stats.textContent = 'Nothing was kept: the server refused the file.';
      return;
    }
    this.#stop();
    announce(`The upload stopped: ${error.message.split('\n')[0]}. Pick the file again to resume.`);
  }

  async #poll() {
    let delay = POLL_MIN_MS;
    while (!this.#stopped) {
      const asset = await this.#refresh();
      if (asset === null || FINAL_STATES.has(asset?.state)) return;
      const woken = await new Promise((resolve) => {
        this.#wakePoll = () => resolve(true);
        setTimeout(() => resolve(false), delay);
      });
      delay = woken ? POLL_MIN_MS : Math.min(delay * 2, POLL_MAX_MS);
    }
  }

  /** Fetches and shows the asset: null once it is gone or the transfer stopped, undefined when the request failed. */
  async #refresh() {
    try {
      const asset = await api('GET', `/v1/assets/${this.#asset.id}`);
      if (this.#stopped) return null;
      this.#asset = asset;
      showAsset(asset, this.#file);
      if (FINAL_STATES.has(asset.state)) this.#finish(asset);
      return asset;
    } catch (error) {
      if (this.#stopped) return null;
      announce(`Could not fetch the asset: ${error.message}`);
      return error.status === 404 ? null : undefined;
    }
  }

  #finish(asset) {
    if (this.#stopped) return;
    this.#stop();
    records.forget(this.#file);
    setControls({ enabled: false });
    if (asset.state === 'ready') announce(`Ready: ${asset.type}, ${asset.duration_seconds} seconds.`);
    else announce(`Failed: ${asset.error_message}`);
  }
}

function showAsset(asset, file) {
  ui.field('state').textContent = asset.state.replace('_', ' ');
  ui.field('type').textContent = asset.type ? `${asset.type} (${asset.content_type})` : '–';
  ui.field('duration').textContent = asset.duration_seconds ? `${asset.duration_seconds} s` : '–';
  ui.field('id').textContent = asset.id;
  ui.download.hidden = !asset.download_url;
  if (asset.download_url) {
    ui.downloadLink.href = asset.download_url;
    ui.downloadLink.textContent = `Download ${file.name}`;
  }
  ui.failure.hidden = asset.state !== 'failed';
  ui.failure.textContent = asset.state === 'failed' ? `${asset.error_message} (${asset.error_code})` : '';
}

function setControls({ pause = ui.pause.textContent, enabled }) {
  // A disabled button drops the keyboard focus to the page's start: hand it to the file picker instead.
  const hadFocus = [ui.pause, ui.cancel].includes(document.activeElement);
  ui.pause.textContent = pause;
  ui.pause.disabled = !enabled;
  ui.cancel.disabled = !enabled;
  ui.actions.hidden = !enabled;
  if (hadFocus && !enabled) ui.file.focus();
}

function announce(message) {
  ui.status.textContent = message;
}

function bytes(count) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  const exponent = Math.min(units.length - 1, Math.floor(Math.log10(Math.max(count, 1)) / 3));
  const value = count / 1000 ** exponent;
  return `${exponent === 0 ? Math.round(value) : value.toFixed(1)} ${units[exponent]}`;
}

function duration(seconds) {
  if (!Number.isFinite(seconds)) return 'unknown time';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.floor(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

let current;
/** Counts the files picked: an asset created for a file since replaced by another is left unused. */
let picks = 0;

async function uploadFile(file) {
  if (!apiKey()) {
    announce('Enter the API key first.');
    ui.apiKey.focus();
    return;
  }
  current?.stop();
  current = undefined;
  const pick = ++picks;
  resetPanel(file);
  announce('Creating the asset…');
  try {
    const { asset, uploaded } = await assetFor(file);
    if (pick !== picks) return;
    showAsset(asset, file);
    current = new Transfer(file, asset, uploaded);
    current.start();
    showUnfinished(asset.id);
  } catch (error) {
    if (pick === picks) announce(`Could not create the asset: ${error.message}`);
  }
}

function resetPanel(file) {
  ui.panel.hidden = false;
  ui.fileName.textContent = `${file.name} · ${bytes(file.size)}`;
  ui.progress.value = 0;
  ui.stats.textContent = '';
  ui.download.hidden = true;
  ui.failure.hidden = true;
  for (const name of ['state', 'type', 'duration', 'id']) ui.field(name).textContent = '–';
  setControls({ pause: 'Pause', enabled: false });
}

/** Lists the recorded uploads that still await bytes, but the one under way. */
function showUnfinished(exceptAssetId) {
  const unfinished = records
    .all()
    .filter((r) => r.assetId !== exceptAssetId)
    .map((r) => `${r.name} (${bytes(r.uploaded)} of ${bytes(r.size)})`);
  ui.unfinished.hidden = unfinished.length === 0;
  ui.unfinished.textContent = `Unfinished: ${unfinished.join(', ')}. Pick the same file to resume.`;
}

function wire() {
  ui.apiKey.value = sessionStorage.getItem(KEY_STORAGE) ?? '';
  ui.apiKey.addEventListener('input', () => sessionStorage.setItem(KEY_STORAGE, apiKey()));
  ui.apiKey.form.addEventListener('submit', (event) => event.preventDefault());
  ui.file.addEventListener('change', () => {
    const [file] = ui.file.files;
    // Emptied, so that picking the same file again (to resume or retry) is a change too.
    ui.file.value = '';
    if (file) void uploadFile(file);
  });
  ui.pause.addEventListener('click', () => current?.togglePause());
  ui.cancel.addEventListener('click', () => void current?.cancel());
  // A file dropped anywhere else would make the browser navigate away to it.
  for (const type of ['dragover', 'drop']) document.addEventListener(type, (event) => event.preventDefault());
  ui.dropZone.addEventListener('dragover', () => ui.dropZone.classList.add('dragging'));
  ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('dragging'));
  ui.dropZone.addEventListener('drop', (event) => {
    ui.dropZone.classList.remove('dragging');
    const [file] = event.dataTransfer.files;
    if (file) void uploadFile(file);
  });
  showUnfinished();
}

wire();
