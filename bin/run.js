#!/usr/bin/env node
// oclif and the commands come from the bundle `npm run build` writes (scripts/bundle.ts).
import { execute } from '../dist/bundle/esm/cli.js';

await execute({ dir: import.meta.url });
