/**
 * The server's bearer token: generated on first start into `.mlloop/serve-token` (mode 0600,
 * readable by its owner only), or given in MLLOOP_SERVE_TOKEN (a secret of the deployment).
 * It is never printed in full: logs show its first four characters, enough to tell two apart.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/util/errors';

export const TOKEN_FILE = 'serve-token';
/** Shortest token accepted from the environment: 128 bits of base64url. */
const MIN_TOKEN_LENGTH = 22;

export interface ServeToken {
  token: string;
  /** Where it came from: the file's path, or 'MLLOOP_SERVE_TOKEN'. */
  source: string;
  /** True when this start wrote the file. */
  created: boolean;
}

/**
 * The token: MLLOOP_SERVE_TOKEN when set, else the file in `dataDir` (created with 32 random
 * bytes when missing; exclusive create, so two servers starting at once share one token). A
 * file that others can read is tightened to 0600, and said so.
 * @throws UserError for a token in the environment shorter than 22 characters, or a token file that is empty.
 */
export function loadOrCreateToken(dataDir: string, env: NodeJS.ProcessEnv = process.env, warn: (m: string) => void = () => undefined): ServeToken {
  const fromEnv = env.MLLOOP_SERVE_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.trim().length < MIN_TOKEN_LENGTH) throw new UserError(`MLLOOP_SERVE_TOKEN is too short (${fromEnv.trim().length} characters): use at least ${MIN_TOKEN_LENGTH} random characters, e.g. \`openssl rand -base64 32\`.`);
    return { token: fromEnv.trim(), source: 'MLLOOP_SERVE_TOKEN', created: false };
  }
  const file = path.join(dataDir, TOKEN_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  let created = false;
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${crypto.randomBytes(32).toString('base64url')}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    created = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = fs.statSync(file);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
    warn(`${file} was readable by others (mode ${(st.mode & 0o777).toString(8)}); it is now 0600.`);
  }
  const token = fs.readFileSync(file, 'utf8').trim();
  if (token.length < MIN_TOKEN_LENGTH) throw new UserError(`${file} holds no usable token (fewer than ${MIN_TOKEN_LENGTH} characters). Delete it and start the server again to generate one.`, { file });
  return { token, source: file, created };
}

/** The token as logs may show it: its first four characters. */
export function tokenHint(token: string): string {
  return `${token.slice(0, 4)}…`;
}

/**
 * Whether an Authorization header carries the token (`Bearer <token>`), compared in
 * constant time (over digests, so the lengths do not leak either).
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1]).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}
