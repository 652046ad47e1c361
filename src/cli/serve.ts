/**
 * The CLI's server half: `mlloop serve` (fastify and the server's modules), bundled on its own
 * (dist/cli-serve.js) and loaded by {@link cliServer} only by that command, so the other
 * commands do not load an HTTP framework.
 */
export { startServer } from '../server/server';
