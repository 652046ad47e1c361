/**
 * What the JSON Schema of mlloop.yaml (schemas/mlloop.schema.json) says about one place in
 * the document: the keys an object may have there, the values a key may take, and the text
 * an editor shows for them (description, type, allowed values, default).
 *
 * The schema is the only source of truth: completion and hover read it through these
 * functions, so a key or enum value added to the schema shows up in the editor without a
 * change here. Only the subset of JSON Schema the project's schema uses is understood:
 * properties, items, enum, const, default, description, type, numeric bounds, required,
 * and a `oneOf` whose branch is chosen by a `discriminator` property (features, model).
 *
 * Pure: no 'vscode', no node built-ins (unit-testable, and reusable by a language server).
 */

/** The parts of a JSON Schema node this module reads. */
export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  discriminator?: { propertyName: string };
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
}

/** A step in a document path: an object key or an array index. */
export type PathSegment = string | number;

/**
 * Reads the value of a discriminator property (e.g. `type`) of the object at a path of the
 * document, or undefined when the object has none or it is not a string. The callers pass
 * a reader over the document being edited, which may be incomplete.
 */
export type DiscriminatorReader = (objectPath: PathSegment[], propertyName: string) => string | undefined;

/** One key an object may have at some place of the document. */
export interface PropertyInfo {
  name: string;
  /**
   * The key's schema. For a key that several oneOf branches share (e.g. a feature's `name`),
   * the first branch's; for the discriminator key itself, a synthesised enum of the branches'
   * const values (see {@link valueOptions}).
   */
  schema: SchemaNode;
  required: boolean;
  /**
   * Discriminator values of the branches that allow this key, when the object is a oneOf
   * whose branch is not known yet (no `type` written) and not every branch has the key;
   * e.g. `['numeric']` for `transform`. Undefined when the key is valid whatever the branch.
   */
  onlyFor?: string[];
  /** True for the key that selects the oneOf branch (`type` of a feature or model). */
  isDiscriminator: boolean;
}

/** A value a key may take, for completion. */
export interface ValueOption {
  value: unknown;
  /** Text about this value: a oneOf branch's description, or the key's own. */
  description?: string;
  isDefault: boolean;
}

/** The object schema at a place: its keys, after choosing the oneOf branch when known. */
export interface ObjectShape {
  properties: PropertyInfo[];
  /** Discriminator key and the branch it selected (undefined: not written or unknown). */
  discriminator?: { propertyName: string; selected?: string; values: Array<{ value: string; description?: string }> };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The discriminator const of a oneOf branch (e.g. 'numeric'), when it has one. */
function branchTag(branch: SchemaNode, propertyName: string): string | undefined {
  const tag = branch.properties?.[propertyName]?.const;
  return typeof tag === 'string' ? tag : undefined;
}

/**
 * The branch of a discriminated oneOf that `tag` selects, or undefined when there is no
 * oneOf, no tag, or no branch with that tag (then callers fall back to the union).
 */
function selectBranch(node: SchemaNode, tag: string | undefined): SchemaNode | undefined {
  const prop = node.discriminator?.propertyName;
  if (!prop || !node.oneOf || tag === undefined) return undefined;
  return node.oneOf.find((b) => branchTag(b, prop) === tag);
}

/**
 * The schema of the value at `path` (keys and indices from the document root), or undefined
 * when the schema does not describe that place (an unknown key, an index into a non-array).
 * Where a discriminated oneOf lies on the way, the branch is chosen by reading the
 * discriminator of the object at that place with `readDiscriminator`; when that object has
 * none (or an unknown one), the first branch that has the next key is used.
 */
export function schemaAtPath(root: SchemaNode, path: PathSegment[], readDiscriminator: DiscriminatorReader): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    if (typeof seg === 'number') {
      node = node.items;
      continue;
    }
    node = propertySchema(node, seg, path.slice(0, i), readDiscriminator);
  }
  return node;
}

function propertySchema(node: SchemaNode, key: string, objectPath: PathSegment[], readDiscriminator: DiscriminatorReader): SchemaNode | undefined {
  if (node.properties?.[key]) return node.properties[key];
  if (!node.oneOf) return undefined;
  const prop = node.discriminator?.propertyName;
  const chosen = prop ? selectBranch(node, readDiscriminator(objectPath, prop)) : undefined;
  if (chosen) return chosen.properties?.[key];
  return node.oneOf.find((b) => b.properties?.[key])?.properties?.[key];
}

/**
 * The keys an object at `objectPath` may have (in schema order), or undefined when the
 * schema there is not an object with known keys. For a discriminated oneOf: the keys of the
 * branch the object's discriminator selects; when it selects none yet, the union of all
 * branches' keys, each marked with the branches that allow it ({@link PropertyInfo.onlyFor}).
 */
export function objectShapeAt(root: SchemaNode, objectPath: PathSegment[], readDiscriminator: DiscriminatorReader): ObjectShape | undefined {
  const node = schemaAtPath(root, objectPath, readDiscriminator);
  if (!node) return undefined;
  if (node.properties && !node.oneOf) {
    const required = new Set(node.required ?? []);
    return {
      properties: Object.entries(node.properties).map(([name, schema]) => ({ name, schema, required: required.has(name), isDiscriminator: false })),
    };
  }
  const prop = node.discriminator?.propertyName;
  if (!node.oneOf || !prop) return undefined;
  const values = node.oneOf
    .map((b) => ({ value: branchTag(b, prop), description: b.properties?.[prop]?.description }))
    .filter((v): v is { value: string; description: string | undefined } => v.value !== undefined);
  const selectedTag = readDiscriminator(objectPath, prop);
  const chosen = selectBranch(node, selectedTag);
  const required = new Set(node.required ?? []);
  const discriminatorInfo = (): PropertyInfo => ({
    name: prop,
    schema: { enum: values.map((v) => v.value), description: `Selects the kind of entry; its other keys depend on it.` },
    required: true,
    isDiscriminator: true,
  });
  const branches = chosen ? [chosen] : node.oneOf;
  const byName = new Map<string, PropertyInfo>();
  for (const branch of branches) {
    const tag = branchTag(branch, prop);
    const branchRequired = new Set([...required, ...(branch.required ?? [])]);
    for (const [name, schema] of Object.entries(branch.properties ?? {})) {
      if (name === prop) {
        if (!byName.has(name)) byName.set(name, discriminatorInfo());
        continue;
      }
      const known = byName.get(name);
      if (known) {
        if (known.onlyFor && tag !== undefined) known.onlyFor.push(tag);
      } else {
        byName.set(name, { name, schema, required: branchRequired.has(name), isDiscriminator: false, ...(tag !== undefined ? { onlyFor: [tag] } : {}) });
      }
    }
  }
  const properties = [...byName.values()];
  // A key every branch has is valid whatever the branch: no "only for" note on it.
  for (const p of properties) if (p.onlyFor && (chosen || p.onlyFor.length === values.length)) delete p.onlyFor;
  return { properties, discriminator: { propertyName: prop, ...(chosen ? { selected: selectedTag } : {}), values } };
}

/**
 * The information about one key at `objectPath` (for hover and completion details), or
 * undefined when the schema does not know the key there.
 */
export function propertyAt(root: SchemaNode, objectPath: PathSegment[], key: string, readDiscriminator: DiscriminatorReader): PropertyInfo | undefined {
  return objectShapeAt(root, objectPath, readDiscriminator)?.properties.find((p) => p.name === key);
}

/**
 * Values the key `property` may take, for completion: the oneOf branches' tags for a
 * discriminator (each with its branch's description), the enum values, a const, true/false
 * for booleans, else the default alone (a number or list worth starting from). The default,
 * when there is one, is marked. Empty when the schema offers nothing to choose from
 * (free strings such as `name` or `label`).
 */
export function valueOptions(property: PropertyInfo, shape?: ObjectShape): ValueOption[] {
  const s = property.schema;
  const isDefault = (v: unknown) => s.default !== undefined && JSON.stringify(v) === JSON.stringify(s.default);
  if (property.isDiscriminator && shape?.discriminator) {
    return shape.discriminator.values.map((v) => ({ value: v.value, ...(v.description ? { description: v.description } : {}), isDefault: false }));
  }
  const withDescription = (value: unknown): ValueOption => ({ value, ...(s.description ? { description: s.description } : {}), isDefault: isDefault(value) });
  if (s.enum) return s.enum.map(withDescription);
  if (s.const !== undefined) return [withDescription(s.const)];
  if (schemaTypes(s).includes('boolean')) return [true, false].map(withDescription);
  if (s.default !== undefined && !isObject(s.default)) return [withDescription(s.default)];
  return [];
}

function schemaTypes(s: SchemaNode): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.const !== undefined) return [typeof s.const === 'number' ? (Number.isInteger(s.const) ? 'integer' : 'number') : typeof s.const];
  if (s.enum) return [...new Set(s.enum.map((v) => (typeof v === 'number' ? 'number' : typeof v)))];
  if (s.oneOf && s.discriminator) return ['object'];
  return [];
}

/** What kind of value a key takes, as it will be written: 'object', 'array', or 'scalar'. */
export function valueKind(s: SchemaNode): 'object' | 'array' | 'arrayOfObjects' | 'scalar' {
  const types = schemaTypes(s);
  if (types.includes('array')) {
    const items = s.items;
    const itemTypes = items ? schemaTypes(items) : [];
    return itemTypes.includes('object') ? 'arrayOfObjects' : 'array';
  }
  if (types.includes('object')) return 'object';
  return 'scalar';
}

function bounds(s: SchemaNode): string {
  const lo = s.minimum !== undefined ? `≥ ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '';
  const hi = s.maximum !== undefined ? `≤ ${s.maximum}` : s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : '';
  return [lo, hi].filter(Boolean).join(', ');
}

/**
 * A short type label, e.g. `integer (≥ 1, ≤ 65536)`, `array of integer (2 items)`,
 * `string`, `integer, always 1`, `object`. An enum's values are listed separately.
 */
export function typeLabel(s: SchemaNode): string {
  const types = schemaTypes(s);
  if (s.const !== undefined) return `${types.join(' | ')}, always ${yamlLiteral(s.const)}`;
  if (types.includes('array')) {
    const item = s.items ? typeLabel(s.items) : 'any';
    const n = s.minItems !== undefined && s.minItems === s.maxItems ? ` (${s.minItems} items)` : s.minItems ? ` (at least ${s.minItems})` : '';
    return `array of ${item}${n}`;
  }
  const b = bounds(s);
  const base = types.join(' | ') || 'any';
  return b ? `${base} (${b})` : base;
}

/** A value as it reads in YAML: strings bare, lists in flow style. */
export function yamlLiteral(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(yamlLiteral).join(', ')}]`;
  return JSON.stringify(v);
}

/** Markdown-escaped text of a schema description (backticks in it stay code). */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_[\]<>])/g, '\\$1');
}

/**
 * The markdown an editor shows for a key: its description, type, allowed values, default,
 * and for a key of one oneOf branch, the branches it belongs to. `where` names the place
 * (e.g. `features[2].transform`).
 */
export function describeProperty(property: PropertyInfo, where: string, shape?: ObjectShape): string {
  const s = property.schema;
  const lines: string[] = [`**${property.name}** — \`${where}\`${property.required ? ' (required)' : ''}`];
  if (property.isDiscriminator && shape?.discriminator) {
    lines.push('', escapeMarkdown(s.description ?? ''));
    lines.push('', 'Allowed values:');
    for (const v of shape.discriminator.values) lines.push(`- \`${v.value}\`${v.description ? ` — ${escapeMarkdown(v.description)}` : ''}`);
    return lines.join('\n');
  }
  if (s.description) lines.push('', escapeMarkdown(s.description));
  lines.push('', `Type: ${typeLabel(s)}`);
  if (s.enum) lines.push('', `Allowed values: ${s.enum.map((v) => `\`${yamlLiteral(v)}\``).join(', ')}`);
  if (s.default !== undefined) lines.push('', `Default: \`${yamlLiteral(s.default)}\``);
  if (property.onlyFor) lines.push('', `Only for ${shape?.discriminator?.propertyName ?? 'type'}: ${property.onlyFor.map((t) => `\`${t}\``).join(', ')}`);
  return lines.join('\n');
}

/** A document path as people read it: `features[2].transform`, `training.earlyStopping`. */
export function formatPath(path: PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(root)';
}
