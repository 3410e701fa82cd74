// The agent's `run` with the quality components registered besides the built-in ones (until they are in
// src/components.ts; registered only if missing, so this keeps working after that).
import { builtinRegistry } from '../../../src/components.js';
import { loadConfig } from '../../../src/config/resolve.js';
import { Service } from '../../../src/pipeline/service.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { conceptDriftProcessorFactory } from '../../../src/processors/concept_drift/factory.js';
import { windowProcessorFactory } from '../../../src/processors/window/factory.js';
import { feedbackSqlReceiverFactory } from '../../../src/receivers/feedback/factory.js';
import type { Factory } from '../../../src/pipeline/component.js';

const registry = builtinRegistry();
for (const f of [windowProcessorFactory, conceptDriftProcessorFactory, feedbackSqlReceiverFactory] as Factory[]) {
  if (!registry.get(f.kind, f.type)) registry.register(f);
}
const config = loadConfig([process.argv[2]], registry);
const service = new Service({ config, logger: createLogger(process.env.MODELWATCH_LOG_LEVEL ?? 'warn') });
await service.start();
process.once('SIGTERM', () => {
  service.shutdown().then(() => process.exit(0), () => process.exit(1));
});
