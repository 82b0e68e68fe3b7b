import type { Tus } from '@tuskit/core';
import { requestPath } from '@tuskit/core/node';
import type { Logger } from './config.js';
import type { AssetService } from './assets.js';
import { DOWNLOADS_PATH, type DownloadLinks } from './downloads.js';
import { ApiError } from './errors.js';
import { errorResponse, json, readJson, type ApiRequest, type ApiResponse } from './http.js';
import { PAGE_ASSETS_PATH, type UploadPage } from './page.js';
import { parseAssetQuery, parseAssetInput, parseProjectInput } from './validation.js';

/** Options of {@link createApi}. */
export interface ApiOptions {
  service: AssetService;
  links: DownloadLinks;
  /** The browser upload page, served at `/` without the API key. */
  page: UploadPage;
  /** Checks the `Authorization` header. */
  isAuthorized: (authorization: string | undefined) => boolean;
  /** Largest `size_bytes` accepted (the engine's Tus-Max-Size). */
  maxUploadBytes: number;
  /** Time a request has to send its JSON body; then 408 and the connection is closed. */
  bodyTimeoutMs: number;
  logger: Logger;
  /** Serves `GET /metrics` to requests `isAuthorized` accepts. */
  metrics?: MetricsEndpoint;
}

/** What `GET /metrics` serves, and who may read it. */
export interface MetricsEndpoint {
  render(): Promise<{ contentType: string; body: string }>;
  /** Checks the `Authorization` header (the API key, or `METRICS_KEY` when set). */
  isAuthorized: (authorization: string | undefined) => boolean;
}

/** The REST endpoints (everything but `/v1/uploads`), independent of the web framework. */
export interface Api {
  /** Answers one request; never throws. */
  handle(request: ApiRequest): Promise<ApiResponse>;
}

/** What a framework app (Express, Koa) is made of. */
export interface AppOptions<Ctx> {
  tus: Tus<Ctx>;
  api: Api;
  logger: Logger;
}

interface RouteCall {
  request: ApiRequest;
  /** The path's captured segment (an id), if any. */
  param: string;
  query: URLSearchParams;
}

interface Route {
  path: RegExp;
  /** Served without the API key. */
  public?: boolean;
  methods: Record<string, (call: RouteCall) => Promise<ApiResponse>>;
}

/**
 * The REST endpoints of the reference API: projects, assets, signed
 * downloads and the upload page. The Express and Koa apps hand every
 * non-TUS request to {@link Api.handle} and copy the answer onto their
 * response.
 *
 * @example
 * ```ts
 * const api = createApi({ service, links, page, isAuthorized: bearerCheck(apiKey), maxUploadBytes: tus.maxSize,
 *   bodyTimeoutMs: 30_000, logger });
 * const { status, headers, body } = await api.handle({ method: 'GET', url: '/v1/assets', header, body: req });
 * ```
 */
export function createApi(options: ApiOptions): Api {
  const { service, links, page, isAuthorized, maxUploadBytes, bodyTimeoutMs, logger, metrics } = options;
  const body = (request: ApiRequest) => readJson(request, bodyTimeoutMs);
  const download = async ({ request, param, query }: RouteCall) => {
    links.verify(param, query);
    return links.serve(await service.readyAsset(param), request.method, request.header('range'), request.header('if-range'));
  };
  const pageFile = async ({ request, param }: RouteCall) => page.serve(param || 'index.html', request.method);
  const scrape = async ({ request }: RouteCall) => {
    if (!metrics?.isAuthorized(request.header('authorization'))) {
      throw new ApiError('unauthorized', undefined, { 'WWW-Authenticate': 'Bearer' });
    }
    const { contentType, body } = await metrics.render();
    return { status: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' }, body };
  };
  const routes: Route[] = [
    {
      path: /^\/v1\/projects$/,
      methods: { POST: async ({ request }) => json(201, await service.createProject(parseProjectInput(await body(request)))) },
    },
    {
      path: /^\/v1\/assets$/,
      methods: {
        POST: async ({ request }) => {
          const { asset, headers } = await service.createAsset(parseAssetInput(await body(request), maxUploadBytes));
          return json(201, asset, headers);
        },
        GET: async ({ query }) => json(200, await service.listAssets(parseAssetQuery(query))),
      },
    },
    {
      path: /^\/v1\/assets\/([^/]+)$/,
      methods: {
        GET: async ({ param }) => json(200, await service.getAsset(param)),
        DELETE: async ({ param }) => {
          await service.deleteAsset(param);
          return { status: 204, headers: {} };
        },
      },
    },
    {
      path: new RegExp(`^${DOWNLOADS_PATH}/([^/]+)$`),
      public: true,
      methods: { GET: download, HEAD: download },
    },
    { path: /^\/$/, public: true, methods: { GET: pageFile, HEAD: pageFile } },
    // Checks its own key: METRICS_KEY, when set, lets a scraper in without the API key.
    ...(metrics ? [{ path: /^\/metrics$/, public: true, methods: { GET: scrape } }] : []),
    { path: new RegExp(`^${PAGE_ASSETS_PATH}/([^/]+)$`), public: true, methods: { GET: pageFile, HEAD: pageFile } },
  ];

  return {
    async handle(request) {
      try {
        const path = requestPath(request.url);
        const url = path === undefined ? null : URL.parse(path, 'http://api.invalid');
        if (!url) throw new ApiError('invalid_request', 'The request target is not a valid URL.');
        const match = routes.map((route) => ({ route, found: route.path.exec(url.pathname) })).find((r) => r.found);
        if (!match?.route.public && !isAuthorized(request.header('authorization'))) {
          throw new ApiError('unauthorized', undefined, { 'WWW-Authenticate': 'Bearer' });
        }
        if (!match?.found) throw new ApiError('not_found');
        const handler = match.route.methods[request.method.toUpperCase()];
        if (!handler) throw new ApiError('method_not_allowed', undefined, { Allow: Object.keys(match.route.methods).join(', ') });
        return await handler({ request, param: match.found[1] ?? '', query: url.searchParams });
      } catch (error) {
        if (!(error instanceof ApiError)) logger.error(`${request.method} ${request.url} failed`, error);
        return errorResponse(error);
      }
    },
  };
}
