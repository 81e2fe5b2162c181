/**
 * fastify, loaded with require: imported from ESM, Node first scans its CommonJS entry for named
 * exports (cjs-module-lexer), ~30 ms of CPU in every process that builds a server.
 */
import { createRequire } from 'node:module';
import type { fastify as Fastify } from 'fastify';

/** The fastify factory (the package's `module.exports`, as a default import of it gives). */
export const fastify = createRequire(import.meta.url)('fastify') as typeof Fastify;
