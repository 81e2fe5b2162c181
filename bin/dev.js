#!/usr/bin/env node
// Development entry: runs the TypeScript sources through tsx, no build needed.
// tsx is registered here (not with a shebang flag) so that it resolves from this file, whatever the cwd.
// The tsx registration built into oclif fails with current tsx, so src/commands is loaded directly.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { execute } = await import('@oclif/core');
const root = fileURLToPath(new URL('..', import.meta.url));
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
pjson.oclif.commands = './src/commands';
await execute({ development: true, dir: import.meta.url, loadOptions: { root, pjson } });
