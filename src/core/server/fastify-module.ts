/**
 * fastify, loaded with require on first use: imported from ESM, Node first scans its CommonJS
 * entry for named exports (cjs-module-lexer), ~30 ms of CPU in every process that builds a server;
 * and `serve`'s primary, which loads the server module to check its target, builds none (fastify
 * with semver, avvio, find-my-way and the rest is ~100 files).
 */
import { createRequire } from 'node:module';
import type { fastify as Fastify } from 'fastify';

let loaded: typeof Fastify | undefined;

/** The fastify factory (the package's `module.exports`, as a default import of it gives). */
export function fastifyFactory(): typeof Fastify {
  loaded ??= createRequire(import.meta.url)('fastify') as typeof Fastify;
  return loaded;
}
