#!/usr/bin/env node
// `mapproxy-seed` is `mapproxy-util seed` under MapProxy's second command name.
import { execute } from '../dist/bundle/esm/cli.js';

await execute({ dir: import.meta.url, args: ['seed', ...process.argv.slice(2)] });
