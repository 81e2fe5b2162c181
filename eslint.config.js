// Lint rules, including the module dependency rule of STYLE.md section 2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import n from 'eslint-plugin-n';
import prettier from 'eslint-config-prettier';

const core = './src/core';
// Module -> the core modules it may import (its own files are always allowed).
const allowed = {
  util: [],
  srs: ['util'],
  grid: ['srs', 'util'],
  image: ['srs', 'util', 'grid'],
  client: ['util'],
  source: ['client', 'image', 'grid', 'srs', 'util'],
  cache: ['source', 'image', 'grid', 'srs', 'util'],
  layer: ['cache', 'source', 'image', 'grid', 'srs', 'util'],
  service: ['layer', 'image', 'grid', 'srs', 'util'],
  config: ['util'],
  app: ['config', 'service', 'layer', 'cache', 'source', 'client', 'image', 'grid', 'srs', 'util'],
  // the reports behind grids, scales, wms-capabilities; nothing imports tools but index.ts (and cli)
  tools: ['app', 'config', 'grid', 'srs', 'client', 'util'],
  server: ['app', 'config', 'service', 'util'],
  seed: ['app', 'config', 'cache', 'image', 'grid', 'srs', 'util'],
  scaffold: ['util'],
  // the error catalogue and exit-code policy see every module's errors (nothing imports cli but index.ts)
  cli: ['tools', 'server', 'seed', 'scaffold', 'app', 'config', 'service', 'layer', 'cache', 'source', 'client', 'image', 'grid', 'srs', 'util'],
};
const modules = Object.keys(allowed);
const zones = modules.flatMap((mod) =>
  modules
    .filter((other) => other !== mod && !allowed[mod].includes(other))
    .map((other) => ({
      target: `${core}/${mod}`,
      from: `${core}/${other}`,
      message: `src/core/${mod} may not import src/core/${other} (STYLE.md section 2).`,
    })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'templates/**', 'coverage/**', 'bin/**', 'wasm/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.test.json' })],
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Off: they look only at enum-typed values, and there are none to look at. The project cannot
      // declare an enum (tsconfig's erasableSyntaxOnly) and names none of its dependencies' (prom-client,
      // fast-check, typescript and assemblyscript declare some). Asking the type of every assigned value
      // cost ~10% of lint's CPU (eslint . in two alternating pairs: 49.6/43.5 -> 41.9/40.0 s).
      '@typescript-eslint/no-unsafe-enum-assignment': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    plugins: { n },
    rules: { 'no-console': 'error', 'n/no-process-exit': 'error' },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./core/(?!index\\.js$)', message: 'Commands import ../core/index.js only.' }] },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'describe', 'it'], package: 'node:test' }] }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
