// The `drift` processor's factory: its config schema, and the preflight of `modelwatch validate`
// (every reference file exists and parses, errors with file, line and column).
import { join } from 'node:path';
import type { ProcessorFactory } from '../../pipeline/component.js';
import { checkWritablePath } from '../../config/preflight.js';
import { driftConfig, isCaptured, type DriftConfig } from './config.js';
import { DriftProcessor } from './processor.js';
import { findReferenceFiles, hasPlaceholders, loadReferenceFile } from './reference-file.js';

export const driftProcessorFactory: ProcessorFactory<DriftConfig> = {
  kind: 'processor',
  type: 'drift',
  description: 'data, prediction and confidence drift of each model version against a reference, on a schedule and on demand, with HTML reports',
  config: driftConfig,
  create: (config, ctx) => new DriftProcessor(config, ctx),
  async preflight(config) {
    const problems: { path: string; message: string }[] = [];
    if (!isCaptured(config.reference)) {
      const ref = config.reference;
      const matches = await findReferenceFiles(ref.path);
      if (matches.length === 0 && hasPlaceholders(ref.path)) problems.push({ path: 'reference::path', message: `no file matches ${ref.path}` });
      for (const m of matches) {
        try {
          await loadReferenceFile(m.path, { format: ref.format, types: ref.types, exactMax: config.exact_max, maxCategories: config.max_categories });
        } catch (e) {
          problems.push({ path: 'reference::path', message: (e as Error).message });
        }
      }
    }
    if (config.reports.dir) {
      const why = checkWritablePath(join(config.reports.dir, 'report.html'));
      if (why) problems.push({ path: 'reports::dir', message: why });
    }
    return problems;
  },
};
