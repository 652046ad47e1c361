/** ML Loop's version, recorded in model cards. Kept in step with package.json by a unit test. */
export const MLLOOP_VERSION = '0.1.0';
