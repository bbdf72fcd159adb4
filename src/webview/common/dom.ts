/**
 * Element builders for the panels. Text goes in through textContent, never markup, and no
 * `style` attribute is ever set, so the pages run under a CSP without 'unsafe-inline'.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, content?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}

export function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | number>>,
  parent?: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

export function svgText(
  parent: Element,
  attrs: Readonly<Record<string, string | number>>,
  content: string,
): SVGTextElement {
  const t = svgEl('text', attrs, parent);
  t.textContent = content;
  return t;
}
