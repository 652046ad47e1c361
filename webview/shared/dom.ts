/**
 * A tiny element builder for the panels (no framework): text is always set as text, never
 * parsed as HTML, so values from runs (class names, feature names, records) cannot inject
 * markup. Inline `style` attributes are blocked by the pages' CSP; set styles through
 * `element.style` (CSSOM), which the CSP allows.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Attributes {
  /** Space-separated classes; falsy entries of an array are skipped. */
  class?: string | Array<string | false | null | undefined>;
  /** Event listeners, e.g. { click: () => … }. */
  on?: Partial<Record<string, (event: Event) => void>>;
  /** Properties set on the element object (custom elements' non-string properties). */
  props?: Record<string, unknown>;
  /** Any other attribute; false/null/undefined leave it out, true sets it empty. */
  [attribute: string]: unknown;
}

/**
 * Creates `<tag>` with attributes and children.
 * @example h('button', { class: 'primary', on: { click } }, 'Save')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attributes | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attributes | null, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attributes | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') {
        const names = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
        if (names) el.className = names;
      } else if (key === 'on') {
        for (const [event, listener] of Object.entries(value as Record<string, (e: Event) => void>)) {
          if (listener) el.addEventListener(event, listener);
        }
      } else if (key === 'props') {
        Object.assign(el, value);
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

/** Appends children (strings and numbers as text nodes; falsy ones skipped). */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A page-unique id with a readable prefix (for aria-labelledby and label/for pairs). */
export function uniqueId(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A message shown where content will appear (empty states, "training…"); role=status when live. */
export function notice(text: string, opts: { live?: boolean; icon?: string } = {}): HTMLElement {
  return h(
    'p',
    { class: 'notice', role: opts.live ? 'status' : undefined },
    opts.icon ? h('span', { class: `codicon codicon-${opts.icon}`, 'aria-hidden': 'true' }) : null,
    text,
  );
}
