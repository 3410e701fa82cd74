// The reports directory: one HTML report (and its JSON result) per run, named by model, version and
// UTC time; old ones removed after the retention; listed newest first for the admin port.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** drift-<model>-<version>-<yyyymmddThhmmssSSSZ>.html; model and version are made file-name safe. */
const REPORT_NAME = /^drift-(.+)-(\d{8}T\d{9}Z)\.html$/;
/** Names served: a plain file name (no separators, no leading dot), so no path escapes the directory. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export interface ReportEntry {
  file: string;
  /** Unix ms, from the name. */
  time: number;
}

export function safePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._]/g, (c) => `_${c.charCodeAt(0).toString(16)}`).replace(/^\./, '_2e') || '_';
}

export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function parseStamp(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : NaN;
}

export class ReportsStore {
  constructor(readonly dir: string, readonly retentionMs: number) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Writes the report and its JSON; returns the report's file name. */
  async write(model: string, version: string, timeMs: number, html: string, json: unknown): Promise<string> {
    const base = `drift-${safePart(model)}-${safePart(version)}-${stamp(timeMs)}`;
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
    await writeFile(join(this.dir, `${base}.html`), html);
    return `${base}.html`;
  }

  /** Reports newest first. */
  async list(): Promise<ReportEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: ReportEntry[] = [];
    for (const file of names) {
      const m = REPORT_NAME.exec(file);
      if (m) out.push({ file, time: parseStamp(m[2]) });
    }
    return out.sort((a, b) => b.time - a.time || (a.file < b.file ? 1 : -1));
  }

  /** Removes reports (and their JSON) older than the retention; returns how many. */
  async prune(nowMs: number): Promise<number> {
    let removed = 0;
    for (const r of await this.list()) {
      if (r.time >= nowMs - this.retentionMs) continue;
      await rm(join(this.dir, r.file), { force: true });
      await rm(join(this.dir, r.file.replace(/\.html$/, '.json')), { force: true });
      removed++;
    }
    return removed;
  }

  /** A report's HTML, or undefined for a name that is not a report of this directory. */
  async read(file: string): Promise<string | undefined> {
    if (!SAFE_NAME.test(file) || !REPORT_NAME.test(file)) return undefined;
    try {
      return await readFile(join(this.dir, file), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The JSON results saved with the newest report of each version of a model (for /latest after a restart). */
  async latestResults(model: string): Promise<Map<string, unknown>> {
    const prefix = `drift-${safePart(model)}-`;
    const out = new Map<string, unknown>();
    for (const r of await this.list()) {
      if (!r.file.startsWith(prefix)) continue;
      try {
        const j = JSON.parse(await readFile(join(this.dir, r.file.replace(/\.html$/, '.json')), 'utf8')) as { model?: string; version?: string };
        if (j.model === model && typeof j.version === 'string' && !out.has(j.version)) out.set(j.version, j);
      } catch {
        /* a report without its JSON: look further */
      }
    }
    return out;
  }
}
