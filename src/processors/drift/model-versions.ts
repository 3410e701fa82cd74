// The drift state of every model version seen: its reference (file or captured), the capture in
// progress, and its current window. Nested maps, so the hot path looks a version up without building a key.
import type { ReferenceSet } from './columns.js';
import type { ReferenceCapture } from './reference-capture.js';
import type { SlidingWindow } from './window.js';

export interface VersionState {
  model: string;
  version: string;
  reference?: ReferenceSet;
  /** Capture mode, until the reference is complete. */
  capture?: ReferenceCapture;
  /** Present once the version has a reference. */
  window?: SlidingWindow;
  /** Predictions passed over because the version had no reference (yet). */
  unreferenced: number;
}

export class ModelVersions {
  private readonly byModel = new Map<string, Map<string, VersionState>>();
  private count = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  get(model: string, version: string): VersionState | undefined {
    return this.byModel.get(model)?.get(version);
  }

  /** The version's state, created on first sight; undefined past the limit of versions. */
  getOrCreate(model: string, version: string, make: () => VersionState): VersionState | undefined {
    let versions = this.byModel.get(model);
    const found = versions?.get(version);
    if (found) return found;
    if (this.count >= this.max) return undefined;
    if (!versions) this.byModel.set(model, (versions = new Map()));
    const made = make();
    versions.set(version, made);
    this.count++;
    return made;
  }

  /** Versions of one model (or every model), sorted by model then version. */
  select(model?: string, version?: string): VersionState[] {
    const out: VersionState[] = [];
    for (const [m, versions] of this.byModel) {
      if (model !== undefined && m !== model) continue;
      for (const [v, s] of versions) if (version === undefined || v === version) out.push(s);
    }
    return out.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  }

  clear(): void {
    this.byModel.clear();
    this.count = 0;
  }
}
