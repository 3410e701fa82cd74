// Data-subject requests (access and erasure) on the prediction log: every row whose tags hold
// key = value, in the database and in the archive files.
//   - export: the database's rows (current), then archived rows the database no longer holds (deleted
//     by retention), each prediction once;
//   - delete: the database's rows, then every archive file that holds one is rewritten without them.
// Out of reach here, and said so in the report: records still in the agent's queue (they reach the log
// moments later: run the deletion again once the agent has drained), copies made outside modelwatch,
// and archives a running agent writes at the same moment as a deletion from the CLI (the admin API
// serialises deletions with archiving).
import { LogAnalysis } from './analysis.js';
import type { StoredRow } from './driver.js';
import { matchingArchivedRows, removeArchivedRows, type ArchivedRow, type RowMatch } from './archive-rows.js';

export interface SubjectStoreOptions {
  /** The table's archive files, when archiving is on. */
  archive?: { dir: string; table: string };
}

export interface SubjectDeletion {
  /** Rows deleted from the database. */
  deleted: number;
  /** Archive files rewritten, and rows removed from them. */
  archive: { files: number; rows: number };
}

function tagMatch(key: string, value: string): RowMatch {
  return {
    // Archive lines are JSON.stringify output: a matching line holds the value's JSON text.
    hint: JSON.stringify(value),
    test: (row) => {
      const tags = row.tags as Record<string, unknown> | null | undefined;
      return tags !== null && typeof tags === 'object' && tags[key] === value;
    },
  };
}

export class SubjectStore {
  constructor(
    private readonly analysis: LogAnalysis,
    private readonly opts: SubjectStoreOptions = {},
  ) {}

  /** Every row of the subject: the database's, then archived ones the database no longer has. */
  async *export(key: string, value: string): AsyncGenerator<StoredRow | ArchivedRow> {
    const seen = new Set<string>();
    for await (const row of this.analysis.rows({ tags: { [key]: value } })) {
      seen.add(row.prediction_id);
      yield row;
    }
    const a = this.opts.archive;
    if (!a) return;
    for await (const row of matchingArchivedRows(a.dir, a.table, tagMatch(key, value))) {
      if (seen.has(row.prediction_id)) continue;
      seen.add(row.prediction_id);
      yield row;
    }
  }

  async delete(key: string, value: string): Promise<SubjectDeletion> {
    const deleted = await this.analysis.delete({ tags: { [key]: value } });
    const a = this.opts.archive;
    const archive = a ? await removeArchivedRows(a.dir, a.table, tagMatch(key, value)) : { files: 0, rows: 0 };
    return { deleted, archive };
  }
}
