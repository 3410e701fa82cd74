// A problem found in the configuration, located as precisely as we can: the otelcol-style path
// (`processors::drift::reference::path`) and, where the value came from a file, its line and column.

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface ConfigProblem {
  path: string;
  message: string;
  location?: SourceLocation;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.location ? `${p.location.file}:${p.location.line}:${p.location.column}: ` : '';
  return `${where}${p.path || '(root)'}: ${p.message}`;
}

/** Thrown when a configuration cannot be used; carries every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => '  ' + formatProblem(p)).join('\n'));
    this.name = 'ConfigError';
  }
}

export const PATH_SEP = '::';

export function joinPath(parts: readonly (string | number)[]): string {
  return parts.map(String).join(PATH_SEP);
}
