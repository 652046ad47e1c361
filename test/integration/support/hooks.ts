/**
 * Root hooks of the integration tests (loaded by .mocharc.integration.json): whatever a test
 * file started for the whole run is stopped once, after the last test.
 */
import { stopTestPostgres } from './postgres';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopTestPostgres();
  },
};
