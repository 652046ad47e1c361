/**
 * Sticky assignment of entities (users, accounts, devices) to the arms of an experiment: a
 * stable hash of the experiment's name and the entity id picks the arm, so the same entity
 * lands in the same arm in every process, on every machine and after every restart, with no
 * state to share — the app (through the runtime), `mlloop serve` and `mlloop experiment`
 * all compute the same answer.
 *
 * Pure module: no node built-ins (the browser runtime exports it).
 */

/** What assignment needs of an experiment: its name and the arms' weights. */
export interface AssignableExperiment {
  /** Part of the hash: renaming an experiment reshuffles its entities (a new experiment). */
  name: string;
  /**
   * Arm name → weight (relative; any non-negative numbers, e.g. 50/50 or 9/1). Arms with
   * weight 0 get no one. The order of the keys does not matter.
   */
  variants: Readonly<Record<string, number | undefined>>;
}

const encoder = new TextEncoder();

/**
 * 32-bit FNV-1a over the UTF-8 bytes, then MurmurHash3's finalizer (fmix32) so that ids that
 * differ in one trailing character ('user-1', 'user-2') land far apart.
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The position of an entity in [0, 1) for an experiment: uniform over entities, and the same
 * for the same (experiment, entity) everywhere. Numbers and strings with the same text are the
 * same entity (42 and '42').
 */
export function assignmentPoint(experimentName: string, entity: string | number): number {
  return hash32(`${experimentName}\u0000${String(entity)}`) / 4294967296;
}

/**
 * The arm of `entity` in `experiment`: the arms, sorted by name, share [0, 1) in proportion to
 * their weights, and the entity's {@link assignmentPoint} falls in one of them. Changing the
 * weights moves only the entities whose points lie between an old and a new boundary;
 * renaming the experiment reshuffles everyone.
 * @throws Error when no arm has a positive weight (the project file's checks refuse that earlier).
 */
export function assignVariant(entity: string | number, experiment: AssignableExperiment): string {
  const weight = (name: string) => experiment.variants[name] ?? 0;
  const arms = Object.keys(experiment.variants)
    .filter((name) => weight(name) > 0)
    .sort();
  const total = arms.reduce((s, name) => s + weight(name), 0);
  if (arms.length === 0 || !(total > 0) || !Number.isFinite(total)) throw new Error(`experiment '${experiment.name}' has no arm with a positive weight`);
  const point = assignmentPoint(experiment.name, entity) * total;
  let edge = 0;
  for (const name of arms) {
    edge += weight(name);
    if (point < edge) return name;
  }
  return arms[arms.length - 1];
}
