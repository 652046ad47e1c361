#!/usr/bin/env node
/**
 * Writes a generated short-text classification set: 2,200 headline-like titles (3–9 words)
 * in 12 topics, as CSV with the columns `title,topic`.
 *
 *   node scripts/quality/make-short-titles.mjs OUT.csv
 *
 * Seeded (mulberry32, as src/core/util/random.ts), so the file is byte-identical on every
 * run. The shape is the hard case for hashed text features: few words per row, a vocabulary
 * several times the 1,024 hashed columns of the old defaults (every topic has a long tail of
 * names that appear only a few times), words in several forms (election / elections /
 * electoral), neighbouring topics that share words, generic words that carry no topic, and
 * 10% of labels flipped to a random other topic. No real headlines were used.
 */
import { writeFileSync } from 'node:fs';

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

const rng = createRng(1111);
const pick = (items) => items[Math.floor(rng() * items.length)];
const chance = (p) => rng() < p;
/** Index with Zipf-like weight 1 / (i + 2): a few words are common, most are rare. */
const zipfPick = (items) => {
  const total = items.reduce((s, _, i) => s + 1 / (i + 2), 0);
  let r = rng() * total;
  for (let i = 0; i < items.length; i++) {
    r -= 1 / (i + 2);
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
};

/** Topic → core stems (each used in a few surface forms) and the topic it borrows words from. */
const topics = {
  politics: { near: 'economy', stems: ['elect', 'vote', 'senat', 'parliament', 'minister', 'campaign', 'coalition', 'ballot', 'govern', 'policy', 'reform', 'party', 'opposit', 'legislat', 'referend', 'candidat', 'debat', 'treaty', 'diplomat', 'summit'] },
  economy: { near: 'politics', stems: ['inflat', 'market', 'bank', 'rate', 'stock', 'trade', 'tariff', 'budget', 'deficit', 'recession', 'growth', 'invest', 'currenc', 'bond', 'profit', 'export', 'wage', 'price', 'debt', 'merger'] },
  sports: { near: 'entertainment', stems: ['match', 'goal', 'league', 'champion', 'coach', 'tournament', 'score', 'striker', 'season', 'final', 'team', 'medal', 'race', 'transfer', 'stadium', 'playoff', 'injur', 'keeper', 'derby', 'title'] },
  technology: { near: 'science', stems: ['software', 'chip', 'startup', 'app', 'robot', 'cloud', 'smartphone', 'algorithm', 'data', 'cyber', 'hack', 'browser', 'gadget', 'server', 'code', 'network', 'processor', 'download', 'platform', 'update'] },
  science: { near: 'health', stems: ['research', 'physic', 'telescope', 'genom', 'fossil', 'experiment', 'particle', 'orbit', 'species', 'laborator', 'molecul', 'astronom', 'galax', 'evolut', 'quantum', 'discover', 'satellit', 'chemist', 'microb', 'theor'] },
  health: { near: 'science', stems: ['hospital', 'vaccin', 'patient', 'doctor', 'diseas', 'clinic', 'nurs', 'surger', 'cancer', 'virus', 'treatment', 'diet', 'symptom', 'therap', 'drug', 'outbreak', 'infect', 'pharmac', 'diagnos', 'wellness'] },
  entertainment: { near: 'sports', stems: ['film', 'movie', 'actor', 'album', 'concert', 'festival', 'celebrit', 'premier', 'seri', 'sing', 'award', 'director', 'stream', 'show', 'music', 'comed', 'theatr', 'box office', 'tour', 'sequel'] },
  travel: { near: 'food', stems: ['flight', 'airport', 'hotel', 'tourist', 'cruis', 'resort', 'passport', 'beach', 'destinat', 'airline', 'journey', 'visa', 'island', 'holiday', 'backpack', 'luggage', 'rail', 'itinerar', 'guide', 'vacation'] },
  food: { near: 'travel', stems: ['recipe', 'restaurant', 'chef', 'bak', 'wine', 'cheese', 'menu', 'cook', 'vegan', 'dessert', 'coffee', 'kitchen', 'dish', 'spice', 'bread', 'grill', 'flavor', 'tasting', 'harvest', 'brunch'] },
  education: { near: 'politics', stems: ['school', 'teacher', 'student', 'universit', 'exam', 'curricul', 'tuition', 'classroom', 'graduat', 'lectur', 'scholarship', 'campus', 'literac', 'pupil', 'degree', 'enrol', 'homework', 'professor', 'semester', 'academ'] },
  environment: { near: 'science', stems: ['climat', 'emission', 'forest', 'pollut', 'recycl', 'wildlife', 'drought', 'flood', 'carbon', 'renewabl', 'solar', 'ocean', 'glacier', 'conservat', 'wildfire', 'biodivers', 'plastic', 'habitat', 'storm', 'green'] },
  crime: { near: 'politics', stems: ['polic', 'arrest', 'court', 'trial', 'robber', 'fraud', 'suspect', 'murder', 'jud', 'prison', 'theft', 'detectiv', 'smuggl', 'verdict', 'investigat', 'burglar', 'lawyer', 'sentenc', 'gang', 'charg'] },
};

/** Surface forms of a stem: the reader sees "elect" as election, elections, elected, electoral. */
const suffixes = ['', 's', 'ion', 'ions', 'ed', 'ing', 'al', 'er', 'ers', 'y', 'ies', 'e', 'es'];
function formsOf(stem) {
  if (stem.includes(' ')) return [stem];
  const forms = new Set();
  while (forms.size < 3) forms.add(stem + pick(suffixes));
  return [...forms];
}

const syllables = ['ka', 'lo', 'mi', 'ran', 'tes', 'vor', 'del', 'xu', 'pha', 'bri', 'on', 'sel', 'du', 'gar', 'nel', 'qui', 'tor', 'zan', 'ber', 'li', 'mar', 'ko', 'sta', 'vin'];
const properName = () => {
  const n = 2 + Math.floor(rng() * 2);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(syllables);
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** Words any topic uses. */
const generic = ['new', 'report', 'says', 'after', 'year', 'first', 'amid', 'over', 'plan', 'record', 'week', 'big', 'top', 'major', 'set', 'could', 'why', 'how', 'what', 'more', 'city', 'country', 'local', 'national', 'world', 'warns', 'calls', 'faces', 'sees', 'latest', 'back', 'time', 'day', 'million', 'best', 'rise', 'fall', 'end', 'deal', 'crisis', 'future', 'old', 'young', 'home', 'people', 'group', 'case', 'win', 'loss', 'talks'];
const connectors = ['in', 'of', 'for', 'on', 'at', 'to', 'with', 'as', 'and', 'the', 'a', 'from', 'by'];

const vocab = {};
for (const [name, t] of Object.entries(topics)) {
  const core = t.stems.flatMap(formsOf);
  // The long tail: 250 names per topic (clubs, companies, places, people), each rare.
  const names = Array.from({ length: 250 }, properName);
  vocab[name] = { core, names };
}

const names = Object.keys(topics);
const rows = [];
for (let i = 0; i < 2200; i++) {
  const topic = names[Math.floor(rng() * names.length)];
  const own = vocab[topic];
  const near = vocab[topics[topic].near];
  const length = 3 + Math.floor(rng() * 7);
  const words = [];
  for (let w = 0; w < length; w++) {
    const r = rng();
    if (r < 0.3) words.push(pick(generic));
    else if (r < 0.42) words.push(pick(connectors));
    else if (r < 0.54) words.push(zipfPick(own.names));
    else if (r < 0.64) words.push(chance(0.5) ? zipfPick(near.core) : zipfPick(vocab[pick(names)].core));
    else words.push(zipfPick(own.core));
  }
  let title = words.join(' ');
  title = title.charAt(0).toUpperCase() + title.slice(1);
  const label = chance(0.1) ? pick(names.filter((n) => n !== topic)) : topic;
  rows.push(`"${title.replace(/"/g, '""')}",${label}`);
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/quality/make-short-titles.mjs OUT.csv');
  process.exit(2);
}
writeFileSync(out, `title,topic\n${rows.join('\n')}\n`);
