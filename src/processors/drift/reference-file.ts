// Reference files: reading one (CSV or JSON Lines, types inferred unless forced) into a reference set,
// and finding the files of a path pattern with {model} / {version} placeholders.
import { readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { formatOf, loadTable } from '../../dataset/load.js';
import { DatasetError } from '../../dataset/errors.js';
import { inferType, tableColumns } from '../../dataset/columns.js';
import type { Table } from '../../dataset/table.js';
import type { ColumnType } from '../../stats/drift.js';
import type { ReferenceSet } from './columns.js';
import { buildReferenceSet, type SummaryOptions } from './reference-build.js';

export interface ReferenceFileOptions extends SummaryOptions {
  format?: 'csv' | 'jsonl';
  types: Record<string, ColumnType>;
}

export function readReferenceTable(path: string, format?: 'csv' | 'jsonl'): Promise<Table> {
  return loadTable(path, format ?? formatOf(path), 'the reference');
}

/** Errors are DatasetErrors naming the file, and the line and column when one value is at fault. */
export async function loadReferenceFile(path: string, opts: ReferenceFileOptions): Promise<ReferenceSet> {
  const table = await readReferenceTable(path, opts.format);
  if (table.lines.length === 0) throw new DatasetError(path, undefined, undefined, 'the reference has no rows');
  for (const name of Object.keys(opts.types)) {
    if (!table.values.has(name)) throw new DatasetError(path, 1, name, 'a type is configured for this column but the header has no such column');
  }
  const types: Record<string, ColumnType> = {};
  for (const name of table.columns) types[name] = opts.types[name] ?? inferType(table.values.get(name)!);
  const columns = tableColumns(table, types);
  try {
    return buildReferenceSet(columns, path, opts);
  } catch (e) {
    throw new DatasetError(path, undefined, undefined, (e as Error).message);
  }
}

export interface ReferenceFileMatch {
  path: string;
  /** Undefined when the pattern has no such placeholder (the file applies to every model / version). */
  model?: string;
  version?: string;
}

export function hasPlaceholders(pattern: string): boolean {
  return /\{(model|version)\}/.test(pattern);
}

/** Files matching a path pattern; placeholders match one whole or partial path segment each. */
export async function findReferenceFiles(pattern: string): Promise<ReferenceFileMatch[]> {
  if (!hasPlaceholders(pattern)) return [{ path: pattern }];
  const abs = resolve(pattern);
  const segments = abs.split(sep);
  const out: ReferenceFileMatch[] = [];
  const walk = async (dir: string, i: number, found: { model?: string; version?: string }): Promise<void> => {
    if (i === segments.length) {
      out.push({ path: dir, ...found });
      return;
    }
    const seg = segments[i];
    if (!hasPlaceholders(seg)) return walk(i === 0 ? seg || sep : join(dir, seg), i + 1, found);
    const { regex, names } = segmentRegex(seg);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return;
    }
    for (const entry of entries.sort()) {
      const m = regex.exec(entry);
      if (!m) continue;
      const next = { ...found };
      let consistent = true;
      names.forEach((n, k) => {
        if (next[n] !== undefined && next[n] !== m[k + 1]) consistent = false;
        next[n] = m[k + 1];
      });
      if (consistent) await walk(join(dir, entry), i + 1, next);
    }
  };
  await walk(sep, 1, {});
  return out;
}

function segmentRegex(seg: string): { regex: RegExp; names: ('model' | 'version')[] } {
  const names: ('model' | 'version')[] = [];
  const source = seg
    .split(/(\{model\}|\{version\})/)
    .map((part) => {
      if (part === '{model}' || part === '{version}') {
        names.push(part.slice(1, -1) as 'model' | 'version');
        return '([^/]+?)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { regex: new RegExp(`^${source}$`), names };
}
