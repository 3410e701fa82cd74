#!/usr/bin/env -S node --max-semi-space-size=8
// modelwatch: run | validate | print-config | drift
import { Command } from 'commander';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerPrintConfigCommand } from './commands/print-config.js';
import { registerDriftCommand } from './commands/drift.js';
import { registerPredictionsCommand } from './commands/predictions.js';
import { VERSION } from './version.js';

const program = new Command('modelwatch')
  .description('watch machine-learning models in production: OTLP prediction spans in, quality, latency and drift metrics out')
  .version(VERSION);
registerRunCommand(program);
registerValidateCommand(program);
registerPrintConfigCommand(program);
registerDriftCommand(program);
registerPredictionsCommand(program);
await program.parseAsync(process.argv);
