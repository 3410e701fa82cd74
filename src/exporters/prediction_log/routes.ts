// The prediction log's admin API. Every prediction_log exporter of the agent registers itself here;
// the routes are added once per admin table and serve the exporter named by `?exporter=` (default:
// the first registered).
//   GET    /api/v1/predictions?model&version&from&to&class&min_confidence&max_confidence&labelled
//          &correct&errors&error_type&tag=k=v&limit&cursor&order      -> { exporter, rows, next_cursor? }
//   GET    /api/v1/predictions/summary?<same filters>&threshold&slowest -> { exporter, filter, ...Summary }
//   GET    /api/v1/subjects/:key/:value/predictions    -> JSON Lines (application/x-ndjson), every row
//   DELETE /api/v1/subjects/:key/:value/predictions    -> { exporter, key, deleted, archive: { files, rows } }
// DELETE is a destructive route: the admin server refuses it unless admin auth (a token) is configured.
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { sendJson, type AdminRequest, type AdminRoutes } from '../../admin/routes.js';
import type { Clock } from '../../pipeline/component.js';
import type { LogAnalysis } from './analysis.js';
import { decodeCursor, FilterError, parseFilter, parseLimit, parseNumber, parseOrder, type FilterParams } from './filter.js';
import { toJson } from './row.js';
import type { SubjectStore } from './subjects.js';

export interface PredictionLogApi {
  analysis: LogAnalysis;
  subjects: SubjectStore;
  clock: Clock;
  /** Runs a deletion exclusive of archiving (Maintenance.exclusive); default: at once. */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
  /** How a subject's tag value is stored (privacy: hashed, or masked = never stored); default: as given. */
  tagLookup?(key: string, value: string): string | undefined;
}

/** Rows read back are already clean: NaN and ±Infinity become strings as in archives, nothing else changes. */
const keep = (s: string): string => s;

type TagLookup = (key: string, value: string) => string | undefined;
interface Registry {
  logs: Map<string, PredictionLogApi>;
  /** The agent's privacy config, as a lookup (set by the service where it applies the privacy transform). */
  tagLookup?: TagLookup;
}

const registries = new WeakMap<AdminRoutes, Registry>();

function registryOf(admin: AdminRoutes): Registry {
  let r = registries.get(admin);
  if (!r) {
    r = { logs: new Map() };
    registries.set(admin, r);
    addRoutes(admin, r);
  }
  return r;
}

export function registerPredictionLogRoutes(admin: AdminRoutes, exporterId: string, api: PredictionLogApi): void {
  registryOf(admin).logs.set(exporterId, api);
}

/** On shutdown: the exporter no longer answers. */
export function unregisterPredictionLogRoutes(admin: AdminRoutes, exporterId: string): void {
  registries.get(admin)?.logs.delete(exporterId);
}

/**
 * Subject requests name the raw tag value (user_id=42); with the privacy transform hashing that tag,
 * the log holds its hash. The service sets the lookup (privacy/createTagLookup) for every log here.
 */
export function setSubjectTagLookup(admin: AdminRoutes, lookup: TagLookup | undefined): void {
  registryOf(admin).tagLookup = lookup;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function select(r: Registry, url: URL): [string, PredictionLogApi] {
  const logs = r.logs;
  const wanted = url.searchParams.get('exporter');
  if (wanted === null) {
    const first = logs.entries().next();
    if (first.done) throw new HttpError(404, 'no prediction_log exporter is running');
    return first.value;
  }
  const api = logs.get(wanted);
  if (!api) throw new HttpError(404, `no prediction_log exporter "${wanted}"; running: ${[...logs.keys()].join(', ') || 'none'}`);
  return [wanted, api];
}

function params(url: URL): FilterParams {
  return { get: (n) => url.searchParams.get(n), getAll: (n) => url.searchParams.getAll(n) };
}

function handle(r: Registry, work: (req: AdminRequest, res: ServerResponse, id: string, api: PredictionLogApi) => Promise<void>) {
  return async (req: AdminRequest, res: ServerResponse): Promise<void> => {
    try {
      const [id, selected] = select(r, req.url);
      const lookup = selected.tagLookup ?? r.tagLookup;
      const api = lookup ? { ...selected, tagLookup: lookup } : selected;
      await work(req, res, id, api);
    } catch (err) {
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      if (err instanceof FilterError) return sendJson(res, 400, { error: err.message });
      // The database is down or refused the query: worth retrying later.
      return sendJson(res, 503, { error: `prediction log unavailable: ${(err as Error).message}` });
    }
  };
}

function storedTag(api: PredictionLogApi, key: string, value: string): string | undefined {
  return api.tagLookup ? api.tagLookup(key, value) : value;
}

function addRoutes(admin: AdminRoutes, logs: Registry): void {
  admin.add(
    'GET',
    '/api/v1/predictions',
    handle(logs, async (req, res, id, api) => {
      const q = req.url.searchParams;
      const filter = parseFilter(params(req.url), api.clock.now());
      const cursor = q.get('cursor');
      const page = await api.analysis.page(filter, { limit: parseLimit(q.get('limit')), cursor: cursor ? decodeCursor(cursor) : undefined, order: parseOrder(q.get('order')) });
      sendJson(res, 200, { exporter: id, ...page });
    }),
  );
  admin.add(
    'GET',
    '/api/v1/predictions/summary',
    handle(logs, async (req, res, id, api) => {
      const q = req.url.searchParams;
      const filter = parseFilter(params(req.url), api.clock.now());
      const threshold = q.get('threshold');
      const slowest = q.get('slowest');
      const summary = await api.analysis.summary(filter, {
        lowConfidenceThreshold: threshold === null ? undefined : parseNumber('threshold', threshold, 0, 1),
        slowest: slowest === null ? undefined : Math.floor(parseNumber('slowest', slowest, 0, 1000)),
      });
      sendJson(res, 200, { exporter: id, filter, ...summary });
    }),
  );
  admin.add(
    'GET',
    '/api/v1/subjects/:key/:value/predictions',
    handle(logs, async (req, res, _id, api) => {
      const value = storedTag(api, req.params.key, req.params.value);
      const rows = value === undefined ? undefined : api.subjects.export(req.params.key, value);
      // Read the first row before answering, so a database error is still a 503, not a cut stream.
      const first = await rows?.next();
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      if (rows && first && !first.done) {
        res.write(`${toJson(first.value, keep)}\n`);
        for await (const row of rows) {
          if (!res.write(`${toJson(row, keep)}\n`)) await once(res, 'drain');
        }
      }
      res.end();
    }),
  );
  admin.add(
    'DELETE',
    '/api/v1/subjects/:key/:value/predictions',
    handle(logs, async (req, res, id, api) => {
      const { key } = req.params;
      const value = storedTag(api, key, req.params.value);
      const result = value === undefined ? { deleted: 0, archive: { files: 0, rows: 0 } } : await (api.exclusive ? api.exclusive(() => api.subjects.delete(key, value)) : api.subjects.delete(key, value));
      sendJson(res, 200, { exporter: id, key, ...result });
    }),
  );
}
