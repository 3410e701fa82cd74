// Where the repository is, whether a test runs compiled (dist/test/...) or from source with tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRoot(import.meta.dirname);
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');
