#!/usr/bin/env node
/**
 * Writes the generated data files of the example projects under examples/:
 *
 *   examples/importance-scoring/data/examples.csv     (3,000 rows)
 *   examples/importance-scoring/data/feedback.jsonl   (300 rows)
 *   examples/task-categorization/data/tasks.json      (2,400 samples)
 *   examples/decision-policy/data/decisions.csv       (5,000 rows)
 *
 * Usage: node scripts/make-examples.mjs [--check]
 *   --check  generate in memory and fail (exit 1) if any committed file differs,
 *            instead of writing.
 *
 * Plain Node, no dependencies, so it runs on a fresh clone before `npm install`. Every random
 * draw comes from one seeded generator per dataset, so the output is byte-identical on every
 * machine and every run; the files are committed and this script is how they were made.
 * The iris and breast-cancer examples are copies of public data, not generated here.
 *
 * Each generator is a known stochastic rule ("the truth") plus deliberate noise, so that a
 * model can learn it well but not perfectly: the script prints the accuracy of the noiseless
 * rule against the noisy labels, which is an upper bound for any model on that data.
 */

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(repoRoot, 'examples');

// ---------------------------------------------------------------------------------------------
// Seeded randomness (inline so this script needs nothing installed)
// ---------------------------------------------------------------------------------------------

/**
 * mulberry32: 32-bit state, floats in [0, 1). Same algorithm as src/core/util/random.ts, kept
 * inline because this script must run without compiling TypeScript.
 * @param {number} seed any integer; the low 32 bits are used.
 */
function createRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random helpers bound to one generator. */
function makeRandom(seed) {
  const next = createRng(seed);
  const random = {
    next,
    /** true with probability p. */
    chance: (p) => next() < p,
    /** Integer in [lo, hi] inclusive. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    /** Standard normal draw (Box–Muller; 1 - u keeps the log argument in (0, 1]). */
    normal: (mean = 0, sd = 1) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    /** exp(N(log(median), sigma)): positive, right-skewed, median `median`. */
    logNormal: (median, sigma) => median * Math.exp(random.normal(0, sigma)),
    /** Number of failures before the first success, success probability p (mean (1-p)/p). */
    geometric: (p) => Math.floor(Math.log(1 - next()) / Math.log(1 - p)),
    pick: (items) => items[Math.floor(next() * items.length)],
    /** Index drawn with probability proportional to weights[i]. */
    weightedIndex: (weights) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    /** Fisher–Yates shuffle in place. */
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
  };
  return random;
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
/** Rounds to `digits` decimals and drops trailing zeros ("0.50" → 0.5) for compact files. */
const round = (x, digits) => Number(x.toFixed(digits));

/** CSV text with a header row; cells are numbers, booleans or '' (missing), none need quoting. */
function toCsv(columns, rows) {
  const lines = [columns.join(',')];
  for (const row of rows) {
    lines.push(columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Accuracy of `predicted` against `actual` (equal-length arrays), as a fraction. */
function agreement(predicted, actual) {
  let same = 0;
  for (let i = 0; i < actual.length; i++) if (predicted[i] === actual[i]) same++;
  return same / actual.length;
}

// ---------------------------------------------------------------------------------------------
// Use case 1: importance scoring of incoming email
// ---------------------------------------------------------------------------------------------

const importanceColumns = [
  'sender_is_vip',
  'from_my_team',
  'mentions_me',
  'is_reply',
  'has_attachment',
  'is_newsletter',
  'mentions_deadline',
  'thread_length',
  'recipients',
  'words',
  'hours_since_last_reply',
  'sender_reply_rate',
];

/**
 * One email's features. Correlations are built in on purpose (newsletters go to many
 * recipients and never mention you; replies belong to longer threads) so that the features
 * are not independent, as in real mail.
 */
function sampleEmail(random) {
  const isNewsletter = random.chance(0.16);
  const senderIsVip = !isNewsletter && random.chance(0.12);
  const fromMyTeam = !isNewsletter && random.chance(senderIsVip ? 0.45 : 0.28);
  const isReply = !isNewsletter && random.chance(0.5);
  const mentionsMe = !isNewsletter && random.chance(isReply ? 0.22 : 0.12);
  const hasAttachment = random.chance(isNewsletter ? 0.05 : 0.2);
  const mentionsDeadline = random.chance(isNewsletter ? 0.04 : 0.12);
  const threadLength = isReply ? 2 + random.geometric(0.25) : 1;
  const recipients = isNewsletter
    ? Math.round(random.logNormal(400, 1.0)) + 20
    : 1 + Math.round(random.logNormal(fromMyTeam ? 3 : 2, 1.0));
  const words = Math.max(3, Math.round(random.logNormal(isNewsletter ? 600 : 110, 0.8)));
  // Hours since this thread (or this sender) last got a reply from you; missing for about 3%
  // of rows, as when the mail client could not tell. The project imputes these with the median.
  const hoursSinceLastReply = random.chance(0.03) ? null : round(random.logNormal(isReply ? 8 : 30, 1.3), 1);
  // Share of this sender's past mail you answered: a strong, noisy personal signal.
  const senderReplyRate = isNewsletter
    ? round(clamp(random.normal(0.02, 0.02), 0, 1), 2)
    : round(clamp(random.normal(senderIsVip ? 0.6 : fromMyTeam ? 0.45 : 0.25, 0.18), 0, 1), 2);
  return {
    sender_is_vip: senderIsVip,
    from_my_team: fromMyTeam,
    mentions_me: mentionsMe,
    is_reply: isReply,
    has_attachment: hasAttachment,
    is_newsletter: isNewsletter,
    mentions_deadline: mentionsDeadline,
    thread_length: threadLength,
    recipients,
    words,
    hours_since_last_reply: hoursSinceLastReply,
    sender_reply_rate: senderReplyRate,
  };
}

/**
 * Log-odds that the user calls this email important. Mostly additive, with the non-linear
 * parts an MLP can pick up and a logistic model cannot: a long thread matters only when you
 * are mentioned in it, and a reply waited on for a day or two matters more than a fresh one or
 * a week-old one (a bump in log-hours).
 */
function importanceLogit(email) {
  const hours = email.hours_since_last_reply ?? 12;
  const waitingBump = Math.exp(-((Math.log1p(hours) - 3.2) ** 2) / 0.8);
  const threadTerm = Math.log(email.thread_length) * (email.mentions_me ? 0.9 : -0.35);
  return (
    -2.1 +
    2.0 * Number(email.sender_is_vip) +
    0.8 * Number(email.from_my_team) +
    1.6 * Number(email.mentions_me) +
    0.3 * Number(email.is_reply) +
    0.5 * Number(email.has_attachment) -
    2.2 * Number(email.is_newsletter) +
    1.3 * Number(email.mentions_deadline) +
    3.2 * (email.sender_reply_rate - 0.3) -
    0.55 * (Math.log(email.recipients) - 1) -
    0.25 * Math.max(0, Math.log(email.words / 300)) +
    1.1 * waitingBump * Number(email.is_reply) +
    threadTerm
  );
}

/** Label scale: multiplies the logit before the coin flip; smaller means noisier labels. */
const importanceSharpness = 1.6;

function makeImportanceScoring() {
  const random = makeRandom(1001);
  const rows = [];
  const bestGuess = [];
  const labels = [];
  for (let i = 0; i < 3000; i++) {
    const email = sampleEmail(random);
    const p = sigmoid(importanceSharpness * importanceLogit(email));
    const important = random.chance(p) ? 1 : 0;
    rows.push({ ...email, important });
    bestGuess.push(p >= 0.5 ? 1 : 0);
    labels.push(important);
  }

  // Feedback: what a user corrected or confirmed in the app. Users mostly act on the emails
  // the current model was unsure about, so feedback over-represents the borderline: keep a
  // candidate with probability that falls off with how far its log-odds are from 0.
  const feedbackRandom = makeRandom(1002);
  const feedback = [];
  while (feedback.length < 300) {
    const email = sampleEmail(feedbackRandom);
    const z = importanceSharpness * importanceLogit(email);
    if (!feedbackRandom.chance(Math.exp(-Math.abs(z) / 2))) continue;
    const important = feedbackRandom.chance(sigmoid(z)) ? 1 : 0;
    feedback.push({ ...email, important, source: 'feedback' });
  }

  const positives = labels.reduce((s, y) => s + y, 0);
  return {
    files: {
      'importance-scoring/data/examples.csv': toCsv([...importanceColumns, 'important'], rows),
      'importance-scoring/data/feedback.jsonl': feedback.map((r) => JSON.stringify(r)).join('\n') + '\n',
    },
    summary:
      `importance-scoring: ${rows.length} rows (${((100 * positives) / rows.length).toFixed(1)}% important), ` +
      `${feedback.length} feedback rows; noiseless rule accuracy ${agreement(bestGuess, labels).toFixed(3)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Use case 4: task categorization from title + description
// ---------------------------------------------------------------------------------------------

/** Shared vocabulary: every class draws its nouns from the same pools, so nouns alone do not give the class away. */
const vocabulary = {
  component: [
    'login page', 'search page', 'CSV export', 'dashboard', 'settings page', 'API client', 'sync service',
    'file upload', 'notification center', 'billing page', 'mobile app', 'CLI', 'webhook handler',
    'report generator', 'user profile', 'permissions screen', 'cache layer', 'importer', 'image resizer',
    'calendar view', 'comment editor', 'admin panel', 'audit log', 'onboarding flow', 'invite dialog',
  ],
  platform: [
    'Windows 11', 'macOS 14', 'Ubuntu 22.04', 'Safari 17', 'Firefox 121', 'Chrome 120', 'Android 14',
    'iOS 17', 'Edge', 'the Docker image', 'the staging server', 'production',
  ],
  thing: [
    'dates', 'totals', 'avatars', 'timestamps', 'page titles', 'progress bars', 'unicode names',
    'time zones', 'sort orders', 'empty states', 'large numbers', 'user counts', 'currency values',
  ],
  action: [
    'saving a draft', 'uploading a large file', 'switching teams', 'renaming a project', 'logging out',
    'opening a shared link', 'exporting a report', 'changing the language', 'resizing the window',
    'deleting a comment', 'filtering by date', 'inviting a member', 'importing a spreadsheet',
    'refreshing the page', 'resetting the password',
  ],
  format: ['PDF', 'Markdown', 'Excel', 'JSON', 'XML', 'iCal', 'Parquet', 'YAML'],
  integration: ['Slack', 'GitHub', 'Jira', 'Google Drive', 'Teams', 'Zapier', 'SAML SSO', 'Okta'],
  dependency: ['lodash', 'openssl', 'log4j', 'jsonwebtoken', 'express', 'axios', 'pillow', 'xml2js'],
  secret: ['API keys', 'session tokens', 'passwords', 'email addresses', 'access tokens', 'customer IDs'],
  version: ['2.3.1', '2.4.0', '3.0.0-beta', '1.9.8', '2.5.2', '3.1.0'],
  count: ['500', '2,000', '10k', '50,000', '1 million', '300'],
  seconds: ['8', '12', '30', '45', '90', '5'],
  percent: ['40%', '80%', '95%', '100%', '60%'],
  errorCode: ['500', '403', '404', 'ECONNRESET', 'TypeError', 'NullPointerException', '502', 'E_TIMEOUT'],
  team: ['enterprise', 'free-tier', 'mobile', 'EU', 'new', 'admin'],
  doc: ['README', 'getting started guide', 'API reference', 'migration guide', 'FAQ', 'changelog', 'tutorial', 'CLI help text'],
};

/**
 * Per-class titles and description sentences. `{slot}` is filled from `vocabulary`.
 * Overlap is deliberate: performance items talk about errors and timeouts like bugs do,
 * questions and docs both talk about guides, features and questions both ask "is it possible".
 */
const categoryTemplates = {
  bug: {
    weight: 6,
    titles: [
      '{component} crashes when {action}', 'Error {errorCode} after {action}', '{component} shows wrong {thing}',
      'Cannot finish {action} on {platform}', 'Regression in {version}: {component} broken', '{component} fails silently',
      '{thing} displayed incorrectly in {component}', 'Exception thrown by {component}', '{component} not working on {platform}',
      'Broken layout in {component}', 'Data lost after {action}', 'Button in {component} does nothing',
      '{component} returns {errorCode}', 'Wrong {thing} after {action}',
    ],
    sentences: [
      'Steps to reproduce: open the {component} and try {action}.', 'Expected it to work, but it throws {errorCode}.',
      'This started after upgrading to {version}.', 'The console shows an uncaught exception.',
      'It worked in the previous release, so this looks like a regression.', 'Instead of {thing} it shows an empty value.',
      'The app crashes and we lose unsaved work.', 'Happens every time on {platform}, not on {platform}.',
      'The stack trace points at the {component}.', 'Reverting to {version} fixes it.',
      'Users report the error message "something went wrong".', 'The state is not saved and the page reloads.',
      '{thing} are off by one day.', 'I attached a screenshot of the broken state.',
    ],
  },
  feature: {
    weight: 5,
    titles: [
      'Add support for {format} export', 'Allow users to customise the {component}', 'Integrate with {integration}',
      'Option to hide {thing} in {component}', 'Support bulk actions in the {component}', 'Dark mode for {component}',
      'Add keyboard shortcuts to {component}', 'Let admins schedule reports', 'Import from {integration}',
      'New filter for {thing}', 'Add an undo button to {component}', 'Sync {component} with {integration}',
      'Feature request: {format} import', 'Add a setting for {thing}',
    ],
    sentences: [
      'It would be great if we could export to {format}.', 'Our {team} customers keep asking for this.',
      'Right now we have to do this by hand, which takes a while.', 'Please add an option in the settings page.',
      'Competitors already offer a {integration} integration.', 'This would save our team a lot of time every week.',
      'A simple toggle would be enough for a first version.', 'Is it possible to add this to the roadmap?',
      'Ideally it would also work in the mobile app.', 'Proposal: a new button next to the existing ones.',
      'We would use this for {action} in bulk.', 'Nice to have, not urgent.',
      'Users want to choose how {thing} are shown.', 'An API endpoint for this would also help.',
    ],
  },
  docs: {
    weight: 3,
    titles: [
      'Typo in the {doc}', '{doc} is outdated', 'Document how {action} works', 'Missing example for {component} in {doc}',
      'Broken link in the {doc}', 'Clarify {thing} handling in the {doc}', 'Add {integration} setup to the {doc}',
      '{doc} still mentions {version}', 'Update screenshots in the {doc}', 'Explain {component} options in the docs',
      'Docs: {component} section is confusing',
    ],
    sentences: [
      'The {doc} still describes the old behaviour from {version}.', 'The link to the {doc} returns 404.',
      'There is no example showing {action}.', 'The code sample in the {doc} does not compile.',
      'It took me a while to find this, so the docs could say it up front.', 'The section on the {component} is missing a paragraph.',
      'Screenshots show the old {component}.', 'A short note about {thing} would help new users.',
      'The wording is confusing; it reads as if the {component} is optional.', 'Several pages have the same typo.',
      'The {doc} should explain the limits of the {component}.', 'Happy to send a pull request with the wording.',
    ],
  },
  question: {
    weight: 4,
    titles: [
      'How do I configure {component}?', 'Is it possible to {verbAction} from the CLI?', 'Why does {component} need admin rights?',
      'What is the difference between {format} and {format} export?', 'Can I use {integration} with the {team} plan?',
      'How to {verbAction} for many users at once?', 'Question about {thing} in {component}', 'Where are {thing} stored?',
      'Best way to {verbAction}?', 'Does {component} work on {platform}?', 'How should we handle {thing}?',
    ],
    sentences: [
      'I could not find this in the {doc}.', 'Is there a recommended way to do this?', 'We are evaluating the product for our {team} team.',
      'Not sure if this is a bug or expected behaviour.', 'Any pointers would be appreciated, thanks!',
      'What is the intended workflow here?', 'Is it possible to do this without admin rights?',
      'I tried the settings page but did not see an option.', 'Could someone explain how {thing} are handled?',
      'We want to know before rolling this out to everyone.', 'Does this change in {version}?', 'Thanks in advance.',
    ],
  },
  performance: {
    weight: 3,
    titles: [
      '{component} is slow with {count} items', '{component} takes {seconds} seconds to load', 'High memory usage in {component}',
      'CPU spikes when {action}', '{component} freezes on {platform}', 'Slow queries behind {component}',
      'Page load time regressed in {version}', '{component} times out with large data', 'Memory leak in {component}',
      'Laggy scrolling in {component}', 'Startup is slow on {platform}',
    ],
    sentences: [
      'With {count} rows the {component} takes {seconds} seconds to render.', 'CPU stays at {percent} until the tab is closed.',
      'Memory grows steadily and never goes down.', 'The profiler shows most of the time spent in the {component}.',
      'p95 latency went from 200 ms to {seconds} seconds after {version}.', 'Eventually the request times out with {errorCode}.',
      'It looks like an N+1 query pattern in the database.', 'Small accounts are fine; large ones are unusable.',
      'The UI freezes for a few seconds on {platform}.', 'Adding a cache here might help.',
      'The {component} re-renders on every keystroke.', 'It is slow but it does eventually finish.',
    ],
  },
  security: {
    weight: 2,
    titles: [
      'XSS in {component}', '{component} leaks {secret} in logs', 'Session not invalidated after logging out',
      'Missing rate limit on {component} endpoint', 'Upgrade {dependency} to fix a CVE', 'SQL injection in {component} filter',
      'CSRF token missing on {component}', 'Permission check bypass in {component}', '{secret} exposed in URL',
      'Weak password policy on the login page', 'Open redirect in {component}',
    ],
    sentences: [
      'An attacker could read other users\' {secret}.', 'The {component} does not sanitize input before rendering it.',
      'We found this during an internal audit.', 'The {dependency} version we ship has a known vulnerability.',
      'A user without permission can still open the {component}.', 'Please handle this privately until it is fixed.',
      '{secret} show up in plain text in the audit log.', 'The token stays valid after logout.',
      'Brute forcing is possible because there is no rate limit.', 'It also returns {errorCode} with a stack trace that reveals internals.',
      'This affects all {team} accounts.', 'Severity looks high to us.',
    ],
  },
};

/** Verb phrases for question titles ("How to {verbAction}?"). */
vocabulary.verbAction = [
  'export all reports', 'rotate API keys', 'migrate from {version}', 'connect {integration}', 'limit who can see the {component}',
  'restore a deleted item', 'change the default time zone', 'automate {action}', 'run the importer on a schedule',
];

/**
 * Titles that carry no class signal; used for a share of records so the description has to
 * do the work, as with real tickets titled "Problem with search".
 */
const vagueTitles = [
  'Problem with {component}', '{component} issue', 'Feedback on {component}', 'About the {component}',
  '{component}', 'Something about {thing}', 'Follow-up on {component}', '{component} on {platform}',
];

/** Sentences any class may contain. */
const sharedSentences = [
  'Seen on {platform}.', 'Version {version}.', 'This affects our {team} users.', 'See the thread in the support channel.',
  'Let me know if you need more details.', 'Related to the recent change in the {component}.', 'Reported by a customer.',
  'We are on {version} on {platform}.',
];

/** Replaces each `{slot}` with a random entry of vocabulary[slot] (slots may nest one level). */
function fillTemplate(random, template) {
  return template.replace(/\{(\w+)\}/g, (_, slot) => {
    const options = vocabulary[slot];
    if (!options) throw new Error(`unknown template slot {${slot}}`);
    return fillTemplate(random, random.pick(options));
  });
}

/** Upper-cases the first letter (templates may start with a slot such as "{component}"). */
const capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Share of labels replaced by a different, random class: the "human labelling error". */
const taskLabelNoise = 0.065;
/** Share of records whose title is vague and carries no class signal. */
const vagueTitleShare = 0.15;
/** Probability that each description sentence comes from another class (topic bleed). */
const foreignSentenceShare = 0.18;

function makeTaskCategorization() {
  const random = makeRandom(4004);
  const categories = Object.keys(categoryTemplates);
  const weights = categories.map((c) => categoryTemplates[c].weight);
  const samples = [];
  const trueCategories = [];
  for (let i = 0; i < 2400; i++) {
    const category = categories[random.weightedIndex(weights)];
    const templates = categoryTemplates[category];
    const title = capitalise(
      fillTemplate(random, random.chance(vagueTitleShare) ? random.pick(vagueTitles) : random.pick(templates.titles)),
    );
    // About 2% of tickets come with no description at all.
    let description = '';
    if (!random.chance(0.02)) {
      const sentenceCount = random.int(1, 4);
      const sentences = [];
      const usedTemplates = new Set();
      for (let s = 0; s < sentenceCount; s++) {
        let pool = templates.sentences;
        if (random.chance(foreignSentenceShare)) pool = categoryTemplates[random.pick(categories)].sentences;
        if (random.chance(0.2)) pool = sharedSentences;
        const template = random.pick(pool);
        // One use per template and record: "The wording is confusing… The wording is confusing…" reads as a bug in the data.
        if (usedTemplates.has(template)) continue;
        usedTemplates.add(template);
        sentences.push(capitalise(fillTemplate(random, template)));
      }
      description = sentences.join(' ');
    }
    let label = category;
    if (random.chance(taskLabelNoise)) label = random.pick(categories.filter((c) => c !== category));
    samples.push({ title, description, category: label });
    trueCategories.push(category);
  }
  const counts = Object.fromEntries(categories.map((c) => [c, samples.filter((s) => s.category === c).length]));
  // One sample per line keeps the file readable and its diffs small.
  const body = samples.map((s) => '  ' + JSON.stringify(s)).join(',\n');
  return {
    files: { 'task-categorization/data/tasks.json': `{"samples": [\n${body}\n]}\n` },
    summary:
      `task-categorization: ${samples.length} samples ${JSON.stringify(counts)}; ` +
      `labels agreeing with the generating class ${agreement(trueCategories, samples.map((s) => s.category)).toFixed(3)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Use case 5: decision policy for support-ticket triage (18 features → 5 actions)
// ---------------------------------------------------------------------------------------------

const decisionColumns = [
  'customer_tenure_months', 'plan_tier', 'monthly_spend', 'open_tickets', 'tickets_last_30d', 'sentiment',
  'urgency_keywords', 'message_words', 'known_issue_similarity', 'duplicate_score', 'kb_match_score',
  'hours_since_created', 'tier1_queue_length', 'specialist_queue_length', 'previous_escalations',
  'account_health', 'sla_hours_remaining', 'reopened_count',
];

const actions = ['auto_reply', 'assign_tier1', 'assign_specialist', 'escalate_manager', 'close_duplicate'];

/** One incoming support ticket, with the correlations a real queue has (big plans spend more, angry customers use urgent words). */
function sampleTicket(random) {
  const planTier = random.weightedIndex([0.45, 0.3, 0.17, 0.08]); // 0 free … 3 enterprise
  const tenure = Math.round(random.logNormal(14, 0.9));
  const spend = planTier === 0 ? 0 : round(random.logNormal([0, 40, 400, 4000][planTier], 0.5), 2);
  const sentiment = round(clamp(random.normal(0.05, 0.45), -1, 1), 2);
  const urgency = random.geometric(sentiment < -0.3 ? 0.45 : 0.7);
  const messageWords = Math.max(4, Math.round(random.logNormal(70, 0.8)));
  const duplicateScore = round(random.chance(0.2) ? random.uniform(0.6, 1) : random.uniform(0, 0.7), 3);
  const knownIssue = round(clamp(random.normal(0.4, 0.25) + 0.3 * (duplicateScore - 0.4), 0, 1), 3);
  const kbMatch = round(clamp(random.normal(0.45, 0.25), 0, 1), 3);
  const slaTotal = [72, 48, 24, 8][planTier];
  const hoursSinceCreated = round(random.logNormal(4, 1.0), 1);
  return {
    customer_tenure_months: tenure,
    plan_tier: planTier,
    monthly_spend: spend,
    open_tickets: random.geometric(0.55),
    tickets_last_30d: random.geometric(0.35),
    sentiment,
    urgency_keywords: urgency,
    message_words: messageWords,
    known_issue_similarity: knownIssue,
    duplicate_score: duplicateScore,
    kb_match_score: kbMatch,
    hours_since_created: hoursSinceCreated,
    tier1_queue_length: random.int(0, 60),
    specialist_queue_length: random.int(0, 25),
    previous_escalations: random.geometric(0.75),
    account_health: round(clamp(random.normal(0.7, 0.2) + 0.15 * sentiment, 0, 1), 2),
    sla_hours_remaining: round(slaTotal - hoursSinceCreated, 1),
    reopened_count: random.geometric(0.8),
  };
}

/** Smooth step: ~0 well below `at`, ~1 well above, width `width`. */
const above = (x, at, width) => sigmoid((x - at) / width);

/**
 * The hidden policy: a utility for each action built from thresholds and interactions
 * (what an experienced triage lead does), in the order of `actions`. The winner is the
 * action with the highest utility after noise.
 */
function actionUtilities(t) {
  const big = above(t.plan_tier, 1.5, 0.4);
  const angry = above(-t.sentiment, 0.35, 0.15);
  const slaPressure = above(-t.sla_hours_remaining, -6, 4); // under ~6 h left, or breached
  const long = above(Math.log(t.message_words), Math.log(150), 0.35);
  const repeat = above(t.tickets_last_30d + 2 * t.reopened_count, 3.5, 1.0);
  const duplicate = above(t.duplicate_score, 0.8, 0.05);
  return [
    // auto_reply: the knowledge base answers it and nobody is upset; less so for big accounts and long messages.
    2.4 * above(t.kb_match_score, 0.65, 0.08) * (1 - angry) * (1 - 0.6 * big) - 0.8 * long - 0.4 * t.reopened_count,
    // assign_tier1: the default; less attractive when the tier-1 queue is long.
    0.9 - 0.012 * t.tier1_queue_length,
    // assign_specialist: long, unfamiliar problems, or repeats; only worth it if the specialist queue is short.
    2.0 * long * above(0.45 - t.known_issue_similarity, 0, 0.1) + 1.2 * repeat * (1 - duplicate) - 0.05 * t.specialist_queue_length,
    // escalate_manager: an angry big customer, an SLA about to break for a paying plan, or a history of escalations.
    2.6 * angry * (0.3 + big) * above(t.urgency_keywords, 0.5, 0.4) +
      1.6 * slaPressure * above(t.plan_tier, 0.5, 0.25) +
      0.9 * t.previous_escalations * above(0.5 - t.account_health, 0, 0.12) -
      0.6,
    // close_duplicate: near-identical to an open ticket and not a reopen.
    3.2 * duplicate * above(0.5 - t.reopened_count, 0, 0.25) - 0.3,
  ];
}

/** Spread of the noise added to each utility: how much individual triagers disagree. */
const decisionUtilityNoise = 0.1;
/** Share of decisions that are simply random (misclicks, a triager having a bad day). */
const decisionRandomShare = 0.02;

/**
 * The decision-policy rows: `count` tickets with their chosen action, all drawn from one
 * generator seeded with `seed`. The example is (5000, 5005); bench/train-job.bench.ts draws
 * a larger set of the same shape.
 * @returns the CSV text, the chosen action index per row and the noiseless policy's choice.
 */
export function decisionPolicyRows(count, seed) {
  const random = makeRandom(seed);
  const rows = [];
  const noiseless = [];
  const labels = [];
  for (let i = 0; i < count; i++) {
    const ticket = sampleTicket(random);
    const utilities = actionUtilities(ticket);
    const argmax = (values) => values.reduce((best, v, k) => (v > values[best] ? k : best), 0);
    let chosen = argmax(utilities.map((u) => u + random.normal(0, decisionUtilityNoise)));
    if (random.chance(decisionRandomShare)) chosen = random.int(0, actions.length - 1);
    rows.push({ ...ticket, action: actions[chosen] });
    noiseless.push(argmax(utilities));
    labels.push(chosen);
  }
  return { csv: toCsv([...decisionColumns, 'action'], rows), labels, noiseless };
}

function makeDecisionPolicy() {
  const { csv, labels, noiseless } = decisionPolicyRows(5000, 5005);
  const counts = Object.fromEntries(actions.map((a, k) => [a, labels.filter((y) => y === k).length]));
  return {
    files: { 'decision-policy/data/decisions.csv': csv },
    summary:
      `decision-policy: ${labels.length} rows ${JSON.stringify(counts)}; ` +
      `noiseless policy accuracy ${agreement(noiseless, labels).toFixed(3)}`,
  };
}

// ---------------------------------------------------------------------------------------------

function main() {
  const check = process.argv.includes('--check');
  const results = [makeImportanceScoring(), makeTaskCategorization(), makeDecisionPolicy()];
  let stale = 0;
  for (const { files, summary } of results) {
    console.log(summary);
    for (const [relativePath, content] of Object.entries(files)) {
      const path = join(examplesDir, relativePath);
      if (check) {
        const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
        if (current !== content) {
          console.error(`stale: examples/${relativePath} differs from what this script generates`);
          stale++;
        }
      } else {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
        console.log(`  wrote examples/${relativePath} (${content.length} bytes)`);
      }
    }
  }
  if (stale > 0) process.exit(1);
}

// Runs only as a script, so bench/ can import decisionPolicyRows without writing files.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
