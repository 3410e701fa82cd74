// From YAML files to a configuration the service can build: merge, validate the top level and every
// component against its factory's schema, check the pipelines' references. Every problem is reported,
// each with its path and the line it came from.
import type { z } from 'zod';
import type { ComponentKind, Factory } from '../pipeline/component.js';
import type { Registry } from '../pipeline/registry.js';
import { mergeSources } from './merge.js';
import { ConfigError, type ConfigProblem, joinPath, PATH_SEP, type SourceLocation } from './problems.js';
import { topLevelSchema, type TopLevelConfig } from './schema.js';
import { type ConfigSource, type Env, loadConfigFile } from './source.js';

export interface ResolvedComponent {
  id: string;
  kind: ComponentKind;
  type: string;
  config: unknown;
  factory: Factory;
  /** receivers::otlp */
  path: string;
}

export interface ResolvedConfig extends TopLevelConfig {
  components: Map<string, ResolvedComponent>;
  /** Where each path was written, for problems found later (preflight). */
  locations: Map<string, SourceLocation>;
}

const SECTIONS: [keyof TopLevelConfig & ('receivers' | 'processors' | 'exporters'), ComponentKind][] = [
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['exporters', 'exporter'],
];

export function componentKey(kind: ComponentKind, id: string): string {
  return `${kind}:${id}`;
}

/** The nearest written place for a path: the path itself, else its closest ancestor. */
export function locate(locations: Map<string, SourceLocation>, path: string): SourceLocation | undefined {
  let p = path;
  for (;;) {
    const loc = locations.get(p);
    if (loc) return loc;
    const i = p.lastIndexOf(PATH_SEP);
    if (i < 0) return locations.get('');
    p = p.slice(0, i);
  }
}

export function zodProblems(error: z.ZodError, prefix: (string | number)[]): Omit<ConfigProblem, 'location'>[] {
  const out: Omit<ConfigProblem, 'location'>[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: joinPath([...base, key]), message: `unknown key "${key}"` });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A union of "number or string" failing is best told as the first branch's complaint.
      out.push({ path: joinPath(base), message: issue.message });
    } else {
      out.push({ path: joinPath(base), message: issue.message });
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function resolveSource(source: ConfigSource, registry: Registry): ResolvedConfig {
  const problems: Omit<ConfigProblem, 'location'>[] = [...source.problems];
  const top = topLevelSchema.safeParse(source.value ?? {});
  if (!top.success) problems.push(...zodProblems(top.error, []));
  const components = new Map<string, ResolvedComponent>();
  // Components and pipelines are checked even when the top level has problems: all are reported at once.
  const raw = (isRecord(source.value) ? source.value : {}) as Record<string, unknown>;
  const sectionOf = (section: string): Record<string, unknown> => (isRecord(raw[section]) ? (raw[section] as Record<string, unknown>) : {});
  for (const [section, kind] of SECTIONS) {
    for (const [id, rawConfig] of Object.entries(sectionOf(section))) {
      const path = joinPath([section, id]);
      const m = /^([a-z][a-z0-9_]*)(?:\/([A-Za-z0-9_.-]+))?$/.exec(id);
      if (!m) {
        problems.push({ path, message: `"${id}" is not a component id: use type or type/name (letters, digits, _ . -)` });
        continue;
      }
      const factory = registry.get(kind, m[1]);
      if (!factory) {
        problems.push({ path, message: `unknown ${kind} type "${m[1]}" (known: ${registry.types(kind).join(', ')})` });
        continue;
      }
      const parsed = factory.config.safeParse(rawConfig ?? {});
      if (!parsed.success) {
        problems.push(...zodProblems(parsed.error, [section, id]));
        continue;
      }
      components.set(componentKey(kind, id), { id, kind, type: m[1], config: parsed.data, factory, path });
    }
  }
  const service = isRecord(raw.service) ? raw.service : {};
  const pipelines = isRecord(service.pipelines) ? service.pipelines : {};
  /** Keys of the components some pipeline lists. */
  const used = new Set<string>();
  for (const [name, p] of Object.entries(pipelines)) {
    if (!isRecord(p)) continue;
    for (const [kind, section] of [['receiver', 'receivers'], ['processor', 'processors'], ['exporter', 'exporters']] as const) {
      const ids = Array.isArray(p[section]) ? (p[section] as unknown[]) : [];
      ids.forEach((id, i) => {
        if (typeof id !== 'string') return;
        used.add(componentKey(kind, id));
        const path = joinPath(['service', 'pipelines', name, section, i]);
        if (!(id in sectionOf(section))) problems.push({ path, message: `${kind} "${id}" is not defined under ${section}` });
        if (ids.indexOf(id) !== i) problems.push({ path, message: `${kind} "${id}" is listed twice` });
      });
    }
  }
  problems.push(...claimConflicts(components, used));
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ ...p, location: (p as ConfigProblem).location ?? locate(source.locations, p.path) })));
  }
  return { ...top.data!, components, locations: source.locations };
}

/** Components in some pipeline that claim what another one there already has (Factory.claims). */
function claimConflicts(components: Map<string, ResolvedComponent>, used: ReadonlySet<string>): Omit<ConfigProblem, 'location'>[] {
  const owner = new Map<string, string>();
  const out: Omit<ConfigProblem, 'location'>[] = [];
  for (const [key, c] of components) {
    if (!used.has(key) || !c.factory.claims) continue;
    for (const claim of c.factory.claims(c.config as never)) {
      const first = owner.get(claim.what);
      if (first === undefined) owner.set(claim.what, c.id);
      else out.push({ path: `${c.path}${PATH_SEP}${claim.key}`, message: `${claim.what} is already written by ${first}: give each its own` });
    }
  }
  return out;
}

export function loadConfig(files: readonly string[], registry: Registry, env: Env = process.env): ResolvedConfig {
  return resolveSource(mergeSources(files.map((f) => loadConfigFile(f, env))), registry);
}
