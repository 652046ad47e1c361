/**
 * Errors a user can cause (bad file, bad config, too little data, a locked store) are
 * UserError: the CLI prints the message and exits 2; the extension shows it as a message.
 * Anything else is a bug and is reported with its stack in the log only.
 */
export class UserError extends Error {
  /** Where the problem is, when it has a place: file path and 1-based line/column. */
  readonly location?: { file?: string; line?: number; column?: number };
  constructor(message: string, location?: { file?: string; line?: number; column?: number }) {
    super(message);
    this.name = 'UserError';
    this.location = location;
  }
}

/** Raised when a long job is cancelled by its caller (AbortSignal). */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Throws CancelledError when the signal has been aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * By name, not instanceof: an error may come from another bundle's copy of this module (the
 * CLI's two bundles, a worker), whose class is a different object.
 */
export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && e.name === 'UserError';
}

/** Whether `e` is a cancellation (by name, as {@link isUserError}). */
export function isCancelled(e: unknown): e is CancelledError {
  return e instanceof Error && e.name === 'CancelledError';
}
