/** The toolkit's own version, from package.json, read once when the engine loads. */
import { createRequire } from 'node:module';

const packageJson = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** `0.1.0` and so on: the mapproxy-ts package version. */
export const VERSION: string = packageJson.version;
