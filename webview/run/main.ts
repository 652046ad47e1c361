/**
 * Entry of the run panel page (bundled to dist/webview/run.js and run.css).
 */
import '../shared/elements';
import '../shared/panel.css';
import './run.css';
import { HostChannel } from '../shared/host';
import { RunPage } from './page';
import type { RunPageState, RunToHost, RunToPage } from './protocol';

const channel = new HostChannel<RunToHost, RunToPage, RunPageState>();
const page = new RunPage(document.getElementById('app')!, channel);
channel.start((m) => page.receive(m));
