/**
 * Entry of the compare panel page (bundled to dist/webview/compare.js and compare.css).
 */
import '../shared/elements';
import '../shared/panel.css';
import './compare.css';
import { HostChannel } from '../shared/host';
import { ComparePage } from './page';
import type { ComparePageState, CompareToHost, CompareToPage } from './protocol';

const channel = new HostChannel<CompareToHost, CompareToPage, ComparePageState>();
const page = new ComparePage(document.getElementById('app')!, channel);
channel.start((m) => page.receive(m));
