/**
 * The one mapping from operating-system errors (a full disk, a read-only folder, a file
 * where a folder belongs, …) to UserErrors that name the path and say what to do. These are
 * things a user can fix, so they must never reach the user as "internal error … report it".
 * The CLI and both workers pass every error through {@link userFacingError} before showing
 * it. Node only (it looks at the file system to name the file that is in the way).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isUserError, UserError } from './errors';

interface ErrnoLike {
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
  message?: string;
}

function errnoOf(e: unknown): ErrnoLike | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as ErrnoLike).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? (e as ErrnoLike) : undefined;
}

/** The nearest ancestor of `p` (or `p` itself) that exists and is not a folder. */
function fileInTheWay(p: string): string | undefined {
  let at = path.resolve(p);
  for (;;) {
    try {
      if (!fs.statSync(at).isDirectory()) return at;
    } catch {
      // does not exist (yet): look further up
    }
    const parent = path.dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

/**
 * The error code (EROFS, EACCES, …) that writing in the nearest existing ancestor of `p`
 * would give, or undefined when it is writable (or none exists).
 */
function unwritableAncestorError(p: string): string | undefined {
  let at = path.dirname(path.resolve(p));
  for (;;) {
    if (fs.existsSync(at)) {
      try {
        fs.accessSync(at, fs.constants.W_OK);
        return undefined;
      } catch (e) {
        return errnoOf(e)?.code;
      }
    }
    const parent = path.dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

function whatWasDone(syscall: string | undefined): string {
  switch (syscall) {
    case 'open':
    case 'read':
      return 'open';
    case 'write':
    case 'fsync':
    case 'close':
      return 'write';
    case 'mkdir':
      return 'create the folder';
    case 'rename':
      return 'rename';
    case 'unlink':
    case 'rmdir':
    case 'rm':
      return 'remove';
    case 'scandir':
      return 'list';
    default:
      return 'use';
  }
}

/**
 * A UserError for a file-system error a user can fix, or undefined when `e` is not one
 * (not an errno error, or a code that means a bug). Codes: ENOSPC and EDQUOT (full disk or
 * quota), EROFS, EACCES and EPERM, EISDIR, ENOTDIR and EEXIST (a file where a folder must
 * be, e.g. `.mlloop` being a file), ELOOP, ENAMETOOLONG, EMFILE and ENFILE, EBUSY, EIO and
 * ENOENT. The message names the path (`location.file` holds it too) and what to do.
 * @param fallbackPath the file being worked on, for errors of calls that do not name it
 *   (a write to an open file descriptor fails without a path).
 */
export function fileSystemUserError(e: unknown, fallbackPath?: string): UserError | undefined {
  const errno = errnoOf(e);
  if (!errno) return undefined;
  const file = errno.path ?? errno.dest ?? fallbackPath;
  const where = file ? ` ${file}` : '';
  const what = where || ' a file';
  const location = file ? { file } : undefined;
  const verb = whatWasDone(errno.syscall);
  switch (errno.code) {
    case 'ENOSPC':
      return new UserError(`No space left on the disk: could not ${verb}${what}. Free some space (or move the project to a disk with room) and run the command again; nothing half-written is kept.`, location);
    case 'EDQUOT':
      return new UserError(`Your disk quota is used up: could not ${verb}${what}. Free some space or ask for a larger quota, then run the command again.`, location);
    case 'EROFS':
      return new UserError(`${file ?? 'The project folder'} is on a read-only file system. ML Loop writes its store, models and reports under .mlloop/ in the project folder: make it writable, or copy the project somewhere writable.`, location);
    case 'EACCES':
    case 'EPERM':
      return new UserError(`Permission denied: could not ${verb}${what}. Check its owner and permissions (ls -l), or run as the user who owns the project.`, location);
    case 'EISDIR':
      return new UserError(`${file ?? 'A path'} is a folder where ML Loop expects a file: move the folder aside or name a file.`, location);
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = file ? fileInTheWay(errno.code === 'EEXIST' ? file : path.dirname(file)) : undefined;
      if (blocker) {
        return new UserError(
          `${blocker} is a file where ML Loop needs a folder (it keeps the store, models and reports in .mlloop/ beside mlloop.yaml): move or rename that file, then run the command again.`,
          { file: blocker },
        );
      }
      return new UserError(errno.code === 'EEXIST' ? `${file ?? 'A file'} already exists: move it aside and run the command again.` : `A part of the path${where} is not a folder.`, location);
    }
    case 'ELOOP':
      return new UserError(`${file ?? 'A path'} is a loop of symbolic links (a link that leads back to itself): fix or remove the link.`, location);
    case 'ENAMETOOLONG':
      return new UserError(`The path${where} is too long for the file system: use a shorter folder or file name.`, location);
    case 'EMFILE':
    case 'ENFILE':
      return new UserError(`Too many files are open (the system limit was reached while opening${what}): close other programs or raise the limit (ulimit -n), then run the command again.`, location);
    case 'EBUSY':
    case 'ETXTBSY':
      return new UserError(`${file ?? 'A file'} is in use by another program: close it there and run the command again.`, location);
    case 'EIO':
      return new UserError(`The disk reported an input/output error while trying to ${verb}${what}: the disk or network share may be failing; check it and run the command again.`, location);
    case 'ENOENT': {
      if (!file) return undefined;
      // Node's recursive mkdir reports ENOENT when a parent cannot be written (a read-only
      // file system, a folder not yours): say that, not "does not exist".
      const blocked = errno.syscall === 'mkdir' ? unwritableAncestorError(file) : undefined;
      if (blocked) return fileSystemUserError({ code: blocked, path: file, syscall: 'mkdir' });
      return new UserError(`${file} does not exist (it may have been moved or deleted while ML Loop was using it).`, location);
    }
    default:
      return undefined;
  }
}

/**
 * What went wrong, in a few plain words ('the disk is full', 'the file system is read-only',
 * …), for a message that says the rest itself: e.g. a warning after the work is already safe
 * in the store, where "run the command again" would be wrong. Codes without a short phrase
 * give {@link fileSystemUserError}'s message; undefined when `e` is not such an error.
 */
export function fileSystemCause(e: unknown): string | undefined {
  switch (errnoOf(e)?.code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'your disk quota is used up';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (check the owner and permissions of the folder: ls -l)';
    default:
      return fileSystemUserError(e)?.message;
  }
}

/**
 * The error to show a user: a UserError as it is; a file-system error a user can fix as a
 * UserError ({@link fileSystemUserError}); a failed memory allocation as a UserError saying
 * so; anything else unchanged (a bug, shown with "report it").
 */
export function userFacingError(e: unknown): unknown {
  if (isUserError(e)) return e;
  const mapped = fileSystemUserError(e);
  if (mapped) return mapped;
  if (e instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer/i.test(e.message)) {
    return new UserError(`Out of memory: ${e.message}. The data or the model is too large for this machine; use fewer rows or features, smaller text dimensions or a smaller model.`);
  }
  return e;
}
