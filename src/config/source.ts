// Reads one YAML config file into plain data, keeping where each value came from (file, line, column)
// and expanding ${env:VAR} / ${env:VAR:-default} in scalars, as the OpenTelemetry Collector does.
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, parse as parseYamlValue, type Node } from 'yaml';
import { type ConfigProblem, joinPath, type SourceLocation } from './problems.js';

export interface ConfigSource {
  value: unknown;
  /** path (joined with ::) -> where it was written */
  locations: Map<string, SourceLocation>;
  problems: ConfigProblem[];
}

export type Env = Record<string, string | undefined>;

const ENV_REF = /\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}/g;

/** Expands env references in one string; problems are reported for unset variables without a default. */
export function expandEnv(text: string, env: Env, onProblem: (message: string) => void): string {
  return text.replace(ENV_REF, (match, name: string | undefined, def: string | undefined, other: string | undefined) => {
    if (match === '$$') return '$';
    if (other !== undefined) {
      onProblem(`unsupported reference "${match}": use \${env:NAME} or \${env:NAME:-default}`);
      return match;
    }
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (def !== undefined) return def;
    onProblem(`environment variable ${name} is not set (give a default with \${env:${name}:-value})`);
    return '';
  });
}

export function loadConfigFile(file: string, env: Env): ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { value: {}, locations: new Map(), problems: [{ path: '', message: `cannot read config file ${file}: ${(err as Error).message}` }] };
  }
  return parseConfigText(text, file, env);
}

export function parseConfigText(text: string, file: string, env: Env): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locations = new Map<string, SourceLocation>();
  const problems: ConfigProblem[] = [];
  const locate = (offset: number | undefined): SourceLocation | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    problems.push({ path: '', message: `YAML: ${e.message.split('\n')[0]}`, location: locate(e.pos[0]) });
  }
  if (doc.errors.length > 0) return { value: {}, locations, problems };

  const convert = (node: Node | null | undefined, path: (string | number)[]): unknown => {
    if (node == null) return null;
    const here = locate(node.range?.[0]);
    if (here && !locations.has(joinPath(path))) locations.set(joinPath(path), here);
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyLoc = locate((pair.key as Node | null)?.range?.[0]);
        if (keyLoc) locations.set(joinPath([...path, key]), keyLoc);
        out[key] = convert(pair.value as Node | null, [...path, key]);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item, i) => convert(item as Node, [...path, i]));
    if (isScalar(node)) {
      // A scalar's problems are about its value: point at the value, not at its key.
      if (here) locations.set(joinPath(path), here);
      if (typeof node.value !== 'string' || !node.value.includes('$')) return node.value;
      const raw = node.value;
      const expanded = expandEnv(raw, env, (message) => problems.push({ path: joinPath(path), message, location: here }));
      // A scalar that is one whole reference takes the type its value has in YAML (ports, booleans).
      if (/^\$\{env:[^}]*\}$/.test(raw) && expanded !== '' && node.type === 'PLAIN') {
        try {
          const typed = parseYamlValue(expanded);
          if (typed === null || typeof typed !== 'object') return typed;
        } catch {
          /* keep the string */
        }
      }
      return expanded;
    }
    return node.toJSON();
  };
  const value = convert(doc.contents as Node | null, []);
  return { value: value ?? {}, locations, problems };
}
