#!/usr/bin/env node
// Launcher of the instreg CLI (compiled by `npm run build` into dist/).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
