import { describe, expect, it } from 'vitest';
import { FRAMEWORK_NAMES, suiteServer } from './support/server.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../src/validation.js';

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(FRAMEWORK_NAMES)('REST API on %s', (framework) => {
  const t = suiteServer(framework, { maxUploadBytes: 1_000_000 });

  describe('authentication', () => {
    it.each([
      ['POST', '/v1/projects'],
      ['POST', '/v1/assets'],
      ['GET', '/v1/assets'],
      ['GET', '/v1/assets/0190a8a0-0000-7000-8000-000000000000'],
      ['GET', '/v1/nowhere'],
      ['HEAD', '/v1/uploads/0190a8a0-0000-7000-8000-000000000000'],
      ['PATCH', '/v1/uploads/0190a8a0-0000-7000-8000-000000000000'],
      ['DELETE', '/v1/uploads/0190a8a0-0000-7000-8000-000000000000'],
    ])('%s %s without the key → 401', async (method, path) => {
      for (const authorization of [undefined, 'Bearer wrong-key', 'test-key', 'Basic dGVzdC1rZXk=']) {
        const response = await fetch(new URL(path, t.server.url), {
          method,
          headers: { 'tus-resumable': '1.0.0', ...(authorization && { authorization }) },
        });
        expect(response.status).toBe(401);
        if (method !== 'HEAD') expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    });

    it('answers OPTIONS on the uploads without the key', async () => {
      for (const path of ['/v1/uploads', '/v1/uploads/0190a8a0-0000-7000-8000-000000000000']) {
        const response = await fetch(new URL(path, t.server.url), { method: 'OPTIONS' });
        expect(response.status).toBe(204);
        expect(response.headers.get('tus-version')).toBe('1.0.0');
        expect(response.headers.get('tus-max-size')).toBe('1000000');
        expect(response.headers.get('tus-extension')).toBe('termination,checksum,checksum-trailer,expiration');
      }
    });
  });

  describe('POST /v1/projects', () => {
    it('creates a project with or without a name', async () => {
      const named = await t.api.call('POST', '/v1/projects', { body: { name: 'Interviews' } });
      expect(named.status).toBe(201);
      expect(named.body).toEqual({ id: expect.stringMatching(UUID_V7), name: 'Interviews', created_at: expect.stringMatching(ISO_MILLIS) });
      const unnamed = await t.api.call('POST', '/v1/projects');
      expect(unnamed.status).toBe(201);
      expect(unnamed.body.name).toBeNull();
    });

    it.each([
      [{ name: 42 }, 'invalid_request'],
      [{ name: '' }, 'invalid_request'],
      [{ name: 'x'.repeat(201) }, 'invalid_request'],
      [{ title: 'typo' }, 'invalid_request'],
      [[], 'invalid_json'],
      ['{"name":', 'invalid_json'],
    ])('refuses %j with 400 %s', async (body, code) => {
      const answer = await t.api.call('POST', '/v1/projects', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({ code, message: expect.any(String) });
    });

    it('refuses a body that is not JSON with 415', async () => {
      const answer = await t.api.call('POST', '/v1/projects', { body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(answer.status).toBe(415);
      expect(answer.body.error.code).toBe('unsupported_content_type');
    });

    it('refuses a body over 64 KiB with 413', async () => {
      const answer = await t.api.call('POST', '/v1/projects', { body: { name: 'x'.repeat(70_000) } });
      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('body_too_large');
    });
  });

  describe('POST /v1/assets', () => {
    it('creates a pending asset with its upload URL and the TUS headers', async () => {
      const before = Date.now();
      const answer = await t.api.call('POST', '/v1/assets', { body: { project_id: t.project.id, size_bytes: 5000, language: 'en' } });
      expect(answer.status).toBe(201);
      const asset = answer.body;
      expect(asset).toEqual({
        id: expect.stringMatching(UUID_V7),
        project_id: t.project.id,
        type: null,
        state: 'pending_upload',
        extension: null,
        size_bytes: null,
        content_type: null,
        duration_seconds: null,
        language: 'en',
        error_code: null,
        error_message: null,
        created_at: expect.stringMatching(ISO_MILLIS),
        upload_url: `${t.server.url}/v1/uploads/${asset.id}`,
        download_url: null,
      });
      expect(answer.headers.get('location')).toBe(asset.upload_url);
      expect(answer.headers.get('tus-resumable')).toBe('1.0.0');
      const expires = Date.parse(answer.headers.get('upload-expires') ?? '');
      expect(expires - before).toBeGreaterThan(604_800_000 - 60_000);
      expect(expires - before).toBeLessThanOrEqual(604_800_000 + 1000);
      expect(await t.api.asset(asset.id)).toMatchObject({ status: 200, body: asset });
      expect(await t.api.offset(asset.upload_url)).toBe(0);
    });

    it('leaves language null when it is not given', async () => {
      const { asset } = await t.api.createAsset(t.project.id, 64);
      expect(asset.language).toBeNull();
    });

    it.each([
      ['size_bytes as a string', { size_bytes: '5000' }, 400, 'invalid_request'],
      ['size_bytes as a fraction', { size_bytes: 5000.5 }, 400, 'invalid_request'],
      ['size_bytes missing', { size_bytes: undefined }, 400, 'invalid_request'],
      ['size_bytes null', { size_bytes: null }, 400, 'invalid_request'],
      ['size_bytes below 64', { size_bytes: 63 }, 400, 'size_too_small'],
      ['size_bytes negative', { size_bytes: -1 }, 400, 'size_too_small'],
      ['size_bytes above the maximum', { size_bytes: 1_000_001 }, 413, 'size_too_large'],
      ['size_bytes far above the maximum', { size_bytes: 1e300 }, 413, 'size_too_large'],
      ['project_id missing', { project_id: undefined }, 400, 'invalid_request'],
      ['project_id not a UUID', { project_id: 'project-1' }, 400, 'invalid_request'],
      ['project_id a number', { project_id: 7 }, 400, 'invalid_request'],
      ['project_id unknown', { project_id: '0190a8a0-0000-7000-8000-000000000000' }, 404, 'project_not_found'],
      ['language in upper case', { language: 'EN' }, 400, 'invalid_request'],
      ['language of three letters', { language: 'eng' }, 400, 'invalid_request'],
      ['language with a region', { language: 'en-US' }, 400, 'invalid_request'],
      ['language a number', { language: 12 }, 400, 'invalid_request'],
      ['an unknown field', { lang: 'en' }, 400, 'invalid_request'],
    ])('refuses %s', async (_, fields, status, code) => {
      const body = { project_id: t.project.id, size_bytes: 5000, ...fields };
      const answer = await t.api.call('POST', '/v1/assets', { body });
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
    });

    it('refuses a body that is not an object', async () => {
      for (const body of ['[1]', '"text"', 'null', '{']) {
        const answer = await t.api.call('POST', '/v1/assets', { body });
        expect(answer.status).toBe(400);
        expect(answer.body.error.code).toBe('invalid_json');
      }
    });

    it('keeps language immutable: assets have no update method', async () => {
      const { asset } = await t.api.createAsset(t.project.id, 64, 'fr');
      for (const method of ['PATCH', 'PUT', 'POST']) {
        const answer = await t.api.call(method, `/v1/assets/${asset.id}`, { body: { language: 'de' } });
        expect(answer.status).toBe(405);
        expect(answer.headers.get('allow')).toBe('GET, DELETE');
      }
      expect((await t.api.asset(asset.id)).body.language).toBe('fr');
    });
  });

  describe('GET /v1/assets', () => {
    it('lists newest first, filtered by state and project', async () => {
      const other = await t.api.createProject('Other');
      const created = [];
      for (const projectId of [other.id, other.id, t.project.id, other.id]) {
        created.push((await t.api.createAsset(projectId, 100)).asset);
      }
      const rejected = created[1]!;
      const patch = await t.api.patch(rejected.upload_url as string, 0, Buffer.alloc(100, 'not media '));
      expect(patch.status).toBe(409);

      const ofOther = await t.api.call('GET', `/v1/assets?project_id=${other.id}`);
      expect(ofOther.status).toBe(200);
      expect(ofOther.body.data.map((a: { id: string }) => a.id)).toEqual([created[3]!.id, created[1]!.id, created[0]!.id]);

      const pendingOfOther = await t.api.call('GET', `/v1/assets?state=pending_upload&project_id=${other.id}`);
      expect(pendingOfOther.body.data.map((a: { id: string }) => a.id)).toEqual([created[3]!.id, created[0]!.id]);

      const failed = await t.api.call('GET', '/v1/assets?state=failed');
      expect(failed.body.data.map((a: { id: string }) => a.id)).toEqual([rejected.id]);

      const all = await t.api.call('GET', '/v1/assets');
      const times = all.body.data.map((a: { created_at: string }) => a.created_at);
      expect(times).toEqual([...times].sort().reverse());
      expect(all.body.data.slice(0, 4).map((a: { id: string }) => a.id)).toEqual(created.map((a) => a.id).reverse());
      expect(all.body.data[0]).toEqual(created[3]);
    });

    it('pages with an opaque cursor, unaffected by assets created between pages', async () => {
      const project = await t.api.createProject('Paged');
      const created: string[] = [];
      for (let n = 0; n < 7; n++) created.unshift((await t.api.createAsset(project.id, 100)).asset.id);
      const pageOf = async (query: string) => {
        const answer = await t.api.call('GET', `/v1/assets?project_id=${project.id}&${query}`);
        expect(answer.status).toBe(200);
        return { ids: answer.body.data.map((a: { id: string }) => a.id) as string[], next: answer.body.next_cursor as string | null };
      };

      const first = await pageOf('limit=3');
      expect(first.ids).toEqual(created.slice(0, 3));
      expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);
      // Newer assets come before the first page: the pages after it neither repeat nor skip an asset.
      const newer = [(await t.api.createAsset(project.id, 100)).asset.id, (await t.api.createAsset(project.id, 100)).asset.id];
      const second = await pageOf(`limit=3&cursor=${first.next}`);
      expect(second.ids).toEqual(created.slice(3, 6));
      const last = await pageOf(`limit=3&cursor=${second.next}`);
      expect(last).toEqual({ ids: created.slice(6), next: null });
      expect((await pageOf('limit=2')).ids).toEqual(newer.reverse());
    });

    it(`answers ${DEFAULT_PAGE_SIZE} assets without a limit, at most ${MAX_PAGE_SIZE} with one`, async () => {
      const project = await t.api.createProject('Many');
      for (let n = 0; n <= DEFAULT_PAGE_SIZE; n++) await t.api.createAsset(project.id, 100);
      const page = await t.api.call('GET', `/v1/assets?project_id=${project.id}`);
      expect(page.body.data).toHaveLength(DEFAULT_PAGE_SIZE);
      const rest = await t.api.call('GET', `/v1/assets?project_id=${project.id}&cursor=${page.body.next_cursor}`);
      expect(rest.body).toMatchObject({ data: [expect.objectContaining({ project_id: project.id })], next_cursor: null });
      const largest = await t.api.call('GET', `/v1/assets?project_id=${project.id}&limit=${MAX_PAGE_SIZE}`);
      expect(largest.body).toMatchObject({ next_cursor: null });
      expect(largest.body.data).toHaveLength(DEFAULT_PAGE_SIZE + 1);
    });

    it.each([
      'limit=0',
      `limit=${MAX_PAGE_SIZE + 1}`,
      'limit=1.5',
      'limit=+3',
      'limit=03',
      'limit=',
      'limit=2&limit=3',
      'cursor=',
      'cursor=nonsense',
      `cursor=${Buffer.from('["2026-01-01T00:00:00.000Z","not-a-uuid"]').toString('base64url')}`,
      `cursor=${Buffer.from('["2026-01-01T00:00:00.000Z", "0190a8a0-0000-7000-8000-000000000000"]').toString('base64url')}`,
    ])('refuses ?%s with 400', async (query) => {
      const answer = await t.api.call('GET', `/v1/assets?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    });

    it.each(['state=done', 'state=', 'project_id=nope', 'state=ready&state=failed'])('refuses ?%s with 400', async (query) => {
      const answer = await t.api.call('GET', `/v1/assets?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
    });
  });

  describe('unknown things', () => {
    it('answers 404 for an unknown asset and an unknown endpoint, 405 for a wrong method', async () => {
      expect(await t.api.call('GET', '/v1/assets/0190a8a0-0000-7000-8000-000000000000')).toMatchObject({
        status: 404,
        body: { error: { code: 'asset_not_found' } },
      });
      expect(await t.api.call('GET', '/v1/assets/..%2F..%2Fetc')).toMatchObject({ status: 404 });
      expect(await t.api.call('GET', '/v1/things')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      const wrong = await t.api.call('DELETE', '/v1/projects');
      expect(wrong).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed' } } });
      expect(wrong.headers.get('allow')).toBe('POST');
    });
  });
});
