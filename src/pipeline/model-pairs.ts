// (model name, model version) pairs as small integers, for checkpoints written in columns: neighbouring
// entries mostly share a model, so the dictionary is looked up only when the pair changes.
export class ModelPairs {
  readonly pairs: [string, string][] = [];
  private readonly index = new Map<string, Map<string, number>>();
  private last = -1;

  indexOf(name: string, version: string): number {
    const l = this.last;
    if (l >= 0 && this.pairs[l][0] === name && this.pairs[l][1] === version) return l;
    let versions = this.index.get(name);
    if (!versions) this.index.set(name, (versions = new Map()));
    let i = versions.get(version);
    if (i === undefined) {
      i = this.pairs.push([name, version]) - 1;
      versions.set(version, i);
    }
    this.last = i;
    return i;
  }
}
