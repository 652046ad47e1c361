/**
 * Feature groups: the output columns of the feature pipeline gathered back under the feature
 * the user named in mlloop.yaml. A numeric or boolean feature is one column, a categorical
 * feature is its one-hot block, a text feature its hashed TF-IDF block. Importances and
 * attributions are reported per group, because "title#17" or "color=red" alone is not
 * something the user configured, and because permuting or occluding a whole block keeps each
 * row a valid encoding (exactly one category on, one text's vector).
 *
 * Pure module: no node built-ins, no tfjs (the browser runtime may import it).
 */

/** One configured feature and the indices of the matrix columns it produced (ascending). */
export interface FeatureGroup {
  /** The feature's name as configured. */
  feature: string;
  /** Column indices into a row-major n×d matrix, each in [0, d). */
  columns: number[];
}

/**
 * Groups output columns by the feature they come from.
 * @param columns one entry per matrix column, in column order (what the pipeline's
 *   `outputColumns` returns); only `feature` is used, `column` is the column's own label.
 * @returns one group per distinct feature name, in order of first appearance; each group's
 *   columns ascending. Columns of one feature need not be adjacent. Empty input → [].
 */
export function groupColumns(columns: ReadonlyArray<{ feature: string; column: string }>): FeatureGroup[] {
  const groups: FeatureGroup[] = [];
  const byFeature = new Map<string, FeatureGroup>();
  columns.forEach((entry, index) => {
    let group = byFeature.get(entry.feature);
    if (!group) {
      group = { feature: entry.feature, columns: [] };
      byFeature.set(entry.feature, group);
      groups.push(group);
    }
    group.columns.push(index);
  });
  return groups;
}

/** One group per column, named `names[c]` (or `x<c>`): for matrices that have no pipeline. */
export function singleColumnGroups(d: number, names?: ReadonlyArray<string>): FeatureGroup[] {
  if (names && names.length !== d) throw new Error(`singleColumnGroups: ${names.length} names for ${d} columns`);
  return Array.from({ length: d }, (_, c) => ({ feature: names ? names[c] : `x${c}`, columns: [c] }));
}

/**
 * Checks that every group's columns are integers in [0, d) and that no column belongs to two
 * groups (which would count it twice). Columns left out of every group are allowed.
 * @throws Error naming the first offending group (a programming error, not a user error).
 */
export function assertValidGroups(groups: ReadonlyArray<FeatureGroup>, d: number): void {
  const owner = new Int32Array(d).fill(-1);
  groups.forEach((group, g) => {
    for (const c of group.columns) {
      if (!Number.isInteger(c) || c < 0 || c >= d) {
        throw new Error(`Feature group '${group.feature}' has column ${c}, outside 0…${d - 1}`);
      }
      if (owner[c] !== -1) {
        throw new Error(`Column ${c} belongs to both feature groups '${groups[owner[c]].feature}' and '${group.feature}'`);
      }
      owner[c] = g;
    }
  });
}
