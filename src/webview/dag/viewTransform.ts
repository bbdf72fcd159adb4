/**
 * Pan / zoom arithmetic, DOM-free. A layout point p is drawn on screen at `p * zoom + pan`.
 */
import type { DagPanelViewState } from '../../shared/protocol/dagPanel';

export interface ViewTransform {
  readonly zoom: number;
  readonly panX: number;
  readonly panY: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 4;
/** Fit never enlarges a small graph past its natural size. */
const FIT_MAX_ZOOM = 1;

export const IDENTITY: ViewTransform = { zoom: 1, panX: 0, panY: 0 };

export function clampZoom(zoom: number): number {
  if (!Number.isFinite(zoom)) return 1;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** Zooms by `factor` keeping the screen point (cx, cy) over the same layout point. */
export function zoomAround(t: ViewTransform, factor: number, cx: number, cy: number): ViewTransform {
  const zoom = clampZoom(t.zoom * factor);
  const k = zoom / t.zoom;
  return { zoom, panX: cx - (cx - t.panX) * k, panY: cy - (cy - t.panY) * k };
}

export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { zoom: t.zoom, panX: t.panX + dx, panY: t.panY + dy };
}

/** The transform that shows all of `content` centred in `viewport`, with `padding` around it. */
export function fitTransform(content: Size, viewport: Size, padding = 24): ViewTransform {
  if (content.width <= 0 || content.height <= 0 || viewport.width <= 0 || viewport.height <= 0) return IDENTITY;
  const availW = Math.max(1, viewport.width - 2 * padding);
  const availH = Math.max(1, viewport.height - 2 * padding);
  const zoom = clampZoom(Math.min(availW / content.width, availH / content.height, FIT_MAX_ZOOM));
  return {
    zoom,
    panX: (viewport.width - content.width * zoom) / 2,
    panY: (viewport.height - content.height * zoom) / 2,
  };
}

/** Moves the view so the layout point `p` sits at the centre of the viewport, zoom unchanged. */
export function centerOn(t: ViewTransform, p: { x: number; y: number }, viewport: Size): ViewTransform {
  return { zoom: t.zoom, panX: viewport.width / 2 - p.x * t.zoom, panY: viewport.height / 2 - p.y * t.zoom };
}

/** True when the layout box is entirely on screen. */
export function isBoxVisible(
  t: ViewTransform,
  box: { x: number; y: number; width: number; height: number },
  viewport: Size,
): boolean {
  const left = box.x * t.zoom + t.panX;
  const top = box.y * t.zoom + t.panY;
  return left >= 0 && top >= 0 && left + box.width * t.zoom <= viewport.width && top + box.height * t.zoom <= viewport.height;
}

/** `getState()` returns whatever an older build stored; accept only a well-formed view state. */
export function parseViewState(raw: unknown): DagPanelViewState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const { zoom, panX, panY, selectedId } = r;
  if (typeof zoom !== 'number' || typeof panX !== 'number' || typeof panY !== 'number') return undefined;
  if (![zoom, panX, panY].every(Number.isFinite)) return undefined;
  const base = { zoom: clampZoom(zoom), panX, panY };
  return typeof selectedId === 'string' ? { ...base, selectedId } : base;
}
