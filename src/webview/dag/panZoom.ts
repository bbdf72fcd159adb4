/**
 * Wheel zoom around the cursor and drag-to-pan on a surface element. A press that does not move
 * is a tap (node selection), so dragging that starts on a node pans instead of selecting it.
 */
import type { Size, ViewTransform } from './viewTransform';
import { centerOn, fitTransform, IDENTITY, panBy, zoomAround } from './viewTransform';

const DRAG_THRESHOLD_PX = 4;
const WHEEL_ZOOM_SPEED = 0.0015;
const PINCH_ZOOM_SPEED = 0.01;

export interface PanZoomHandlers {
  readonly onChange: (t: ViewTransform) => void;
  readonly onTap: (target: EventTarget | null) => void;
}

export class PanZoom {
  private t: ViewTransform = IDENTITY;
  private target: SVGGElement | undefined;
  private press: { id: number; x: number; y: number; start: ViewTransform; on: EventTarget | null; dragging: boolean } | undefined;

  constructor(
    private readonly surface: HTMLElement,
    private readonly handlers: PanZoomHandlers,
  ) {
    surface.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    surface.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    surface.addEventListener('pointermove', (e) => this.onPointerMove(e));
    surface.addEventListener('pointerup', (e) => this.onPointerUp(e));
    surface.addEventListener('pointercancel', () => this.endPress());
  }

  get transform(): ViewTransform {
    return this.t;
  }

  /** The element the transform is written to; replaced whenever the graph is re-rendered. */
  attach(target: SVGGElement): void {
    this.target = target;
    this.apply();
  }

  set(t: ViewTransform): void {
    this.t = t;
    this.apply();
    this.handlers.onChange(t);
  }

  size(): Size {
    return { width: this.surface.clientWidth, height: this.surface.clientHeight };
  }

  zoomBy(factor: number): void {
    const s = this.size();
    this.set(zoomAround(this.t, factor, s.width / 2, s.height / 2));
  }

  panBy(dx: number, dy: number): void {
    this.set(panBy(this.t, dx, dy));
  }

  fit(content: Size): void {
    this.set(fitTransform(content, this.size()));
  }

  centerOn(p: { x: number; y: number }): void {
    this.set(centerOn(this.t, p, this.size()));
  }

  private apply(): void {
    const { zoom, panX, panY } = this.t;
    this.target?.setAttribute('transform', `translate(${panX} ${panY}) scale(${zoom})`);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 16 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 400 : 1;
    // Trackpad pinch arrives as a wheel event with ctrlKey and small deltas.
    const speed = e.ctrlKey ? PINCH_ZOOM_SPEED : WHEEL_ZOOM_SPEED;
    const factor = Math.exp(-e.deltaY * unit * speed);
    const rect = this.surface.getBoundingClientRect();
    this.set(zoomAround(this.t, factor, e.clientX - rect.left, e.clientY - rect.top));
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || this.press) return;
    if (e.target instanceof Element && e.target.closest('button, a')) return;
    this.press = { id: e.pointerId, x: e.clientX, y: e.clientY, start: this.t, on: e.target, dragging: false };
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.press;
    if (!p || p.id !== e.pointerId) return;
    const dx = e.clientX - p.x;
    const dy = e.clientY - p.y;
    if (!p.dragging && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
    if (!p.dragging) {
      p.dragging = true;
      this.surface.setPointerCapture(e.pointerId);
      this.surface.classList.add('is-panning');
    }
    this.set(panBy(p.start, dx, dy));
  }

  private onPointerUp(e: PointerEvent): void {
    const p = this.press;
    if (!p || p.id !== e.pointerId) return;
    this.endPress();
    if (!p.dragging) this.handlers.onTap(p.on);
  }

  private endPress(): void {
    if (this.press?.dragging && this.surface.hasPointerCapture(this.press.id)) {
      this.surface.releasePointerCapture(this.press.id);
    }
    this.press = undefined;
    this.surface.classList.remove('is-panning');
  }
}
