// `lotusctl --version` loads only this and node:fs (src/cli/main.ts), so scripts that call it often pay little.
export { packageVersion } from '../system/package-info.js';
