// The file references of a running drift processor: loaded at start (a missing or malformed file is an
// error then, not mid-run), looked up per model version, and re-scanned before runs when the path is
// a pattern, so files added later are picked up.
import type { ReferenceSet } from './columns.js';
import type { FileReferenceConfig } from './config.js';
import { findReferenceFiles, hasPlaceholders, loadReferenceFile } from './reference-file.js';
import type { SummaryOptions } from './reference-build.js';

const ANY = '\u0000any';

export class ReferenceFiles {
  /** model (or ANY) → version (or ANY) → reference. */
  private readonly byModel = new Map<string, Map<string, ReferenceSet>>();
  private readonly loadedPaths = new Set<string>();

  constructor(private readonly config: FileReferenceConfig, private readonly opts: SummaryOptions) {}

  get pattern(): boolean {
    return hasPlaceholders(this.config.path);
  }

  /** Loads files not loaded yet; throws on the first that cannot be read or parsed. Returns how many were new. */
  async load(): Promise<number> {
    let added = 0;
    for (const match of await findReferenceFiles(this.config.path)) {
      if (this.loadedPaths.has(match.path)) continue;
      const set = await loadReferenceFile(match.path, { ...this.opts, format: this.config.format, types: this.config.types });
      const model = match.model ?? ANY;
      let versions = this.byModel.get(model);
      if (!versions) this.byModel.set(model, (versions = new Map()));
      versions.set(match.version ?? ANY, set);
      this.loadedPaths.add(match.path);
      added++;
    }
    return added;
  }

  get size(): number {
    return this.loadedPaths.size;
  }

  /** The reference of a model version: the most specific match. */
  find(model: string, version: string): ReferenceSet | undefined {
    const m = this.byModel.get(model) ?? this.byModel.get(ANY);
    return m?.get(version) ?? m?.get(ANY);
  }
}
