/**
 * The engine's public surface: the use cases the commands (and library users) call.
 * Nothing else from src/core may be imported by src/commands.
 */
export { ProxyError } from './util/index.js';
