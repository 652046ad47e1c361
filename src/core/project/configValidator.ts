/**
 * The compiled JSON Schema check of mlloop.yaml.
 *
 * Compiling the schema with ajv costs ~40 ms (over 100 ms on a loaded machine) of every CLI
 * command and of the extension's activation, so the bundles (esbuild.mjs) replace this module
 * with ajv's standalone code generated at build time from the same schema and the same options
 * (ajv-options.json). Code run from source (the unit tests) compiles at first use, here.
 *
 * Options: allErrors (report every problem, not the first); discriminator (a feature's or a
 * model's errors come from the branch its `type` selects, not one per oneOf branch); verbose
 * (errors carry the failing schema, which describeError words its messages from).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../../schemas/mlloop.schema.json';
import options from './ajv-options.json';

/** A validator of a parsed mlloop.yaml (the plain object), with ajv's `errors` after a failure. */
export function configValidator(): ValidateFunction {
  return new Ajv(options).compile(schema);
}
