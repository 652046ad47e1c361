/**
 * The inbox reader the job worker calls for the `ingest` job and inside the loop's watcher:
 * core's ingestInbox (src/core/loop/ingest.ts). Until that module is on this branch there is
 * none, and the worker says so instead of pretending to have taken anything in.
 *
 * When it lands this file becomes: `export { ingestInbox as inboxIngest } from '../core/loop/ingest';`
 */
import type { ProjectContext } from '../core/context/projectContext';
import type { InboxIngestReport } from './protocol';

export type InboxIngest = (ctx: ProjectContext, opts: { signal?: AbortSignal }) => Promise<InboxIngestReport>;

export const inboxIngest: InboxIngest | undefined = undefined;
