"""A clickable image with circles drawn over it: where the user clicks, in image pixels.

Plotly's heatmap selection does not report clicks (streamlit#8760) and `st.image` has no click
event (streamlit#298), so this small component (Streamlit Components v2, inline HTML/JS, no build
step, nothing fetched from outside) shows a PNG and an SVG overlay whose coordinate system is the
image's own pixels, and reports a click as a one-shot trigger value (it resets after the rerun,
so a click is never replayed on an unrelated rerun).

Zoom and pan: the buttons under the image (or +, - and 0 once it has focus) zoom up to 8x about
the middle of the view; dragging pans a zoomed image, and a drag is never taken for a click.

Keys: once the image has focus (a click or Tab gives it), a key listed in ``keys`` (``"1"`` ...
``"4"``, ``"C"`` for the MRI page) is reported as the one-shot trigger ``level`` with the value it
maps to; keys typed anywhere else on the page (a text box) never reach it.

Coordinates: the browser converts the click from displayed to natural pixels itself
(``offsetX * naturalWidth / displayedWidth``), whatever size the image is shown at. A click at
continuous position ``u`` in [0, width) lies in pixel ``floor(u)``, whose centre is at index
``floor(u)``; the value returned is ``u - 0.5`` (and likewise for rows), so a click in the
middle of pixel (i, j) returns (i, j) exactly, the convention of `vbq.imaging.roi_stats`.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st

_HTML = ('<div class="vbq-click-wrap"><div class="vbq-click-box"><div class="vbq-click-stage">'
         '<img class="vbq-click-img" alt=""/>'
         '<svg class="vbq-click-svg" xmlns="http://www.w3.org/2000/svg"></svg></div></div>'
         '<div class="vbq-click-zoom">'
         '<button type="button" data-zoom="in" title="Zoom in (+)">+</button>'
         '<button type="button" data-zoom="out" title="Zoom out (-)">&#8722;</button>'
         '<button type="button" data-zoom="fit" title="Whole image (0)">&#8634;</button>'
         '</div></div>')

_CSS = """
.vbq-click-box { position: relative; display: inline-block; line-height: 0; width: 100%;
                 overflow: hidden; }
.vbq-click-stage { position: relative; transform-origin: 0 0; }
.vbq-click-wrap { width: 100%; }
.vbq-click-zoom { display: flex; gap: 4px; justify-content: flex-end; margin-top: 4px;
                  line-height: 1; }
.vbq-click-zoom button { font: 600 15px sans-serif; width: 30px; height: 30px; padding: 0;
                         border: 1px solid #666; border-radius: 4px; cursor: pointer;
                         background: rgba(255, 255, 255, 0.85); color: #111; }
.vbq-click-box:focus-visible { outline: 2px solid #33d6ff; outline-offset: 2px; }
.vbq-click-img { width: 100%; height: auto; image-rendering: pixelated; cursor: crosshair;
                 user-select: none; -webkit-user-drag: none; }
.vbq-click-svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%;
                 pointer-events: none; }
.vbq-click-svg text { font: 600 11px sans-serif; paint-order: stroke; stroke: #000;
                      stroke-width: 3px; }
"""

# Circles and labels are built with DOM calls (textContent, setAttribute), never innerHTML, so a
# label can hold no markup.
_JS = """
export default function(component) {
  const { data, setTriggerValue, parentElement } = component;
  const box = parentElement.querySelector('.vbq-click-box');
  const img = parentElement.querySelector('.vbq-click-img');
  const svg = parentElement.querySelector('.vbq-click-svg');
  parentElement.querySelector('.vbq-click-wrap').style.maxWidth = data.max_width + 'px';
  if (img.getAttribute('src') !== data.src) { img.setAttribute('src', data.src); }
  img.setAttribute('alt', data.alt);
  svg.setAttribute('viewBox', '0 0 ' + data.width + ' ' + data.height);
  svg.setAttribute('preserveAspectRatio', 'none');
  while (svg.firstChild) { svg.removeChild(svg.firstChild); }
  const ns = 'http://www.w3.org/2000/svg';
  for (const c of data.circles) {
    const e = document.createElementNS(ns, 'ellipse');
    e.setAttribute('cx', c.col + 0.5); e.setAttribute('cy', c.row + 0.5);
    e.setAttribute('rx', c.r_cols); e.setAttribute('ry', c.r_rows);
    e.setAttribute('fill', 'none'); e.setAttribute('stroke', c.colour);
    e.setAttribute('stroke-width', c.active ? 2.5 : 1.5);
    e.setAttribute('vector-effect', 'non-scaling-stroke');
    if (!c.active) { e.setAttribute('stroke-dasharray', '4 3'); }
    svg.appendChild(e);
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', c.col + c.r_cols + 2); t.setAttribute('y', c.row + 0.5);
    t.setAttribute('fill', c.colour); t.setAttribute('dominant-baseline', 'middle');
    t.setAttribute('transform-origin', (c.col + c.r_cols + 2) + ' ' + (c.row + 0.5));
    const k = data.width / Math.max(1, img.getBoundingClientRect().width || data.width);
    t.setAttribute('transform', 'scale(' + k + ')');
    t.textContent = c.label;
    svg.appendChild(t);
  }
  // zoom and pan: a CSS transform of the stage (image and circles together), kept on the box
  // across reruns; the click mapping below reads the transformed rectangle, so it holds.
  const stage = parentElement.querySelector('.vbq-click-stage');
  const view = box._view || (box._view = { z: 1, x: 0, y: 0 });
  const apply = () => {
    const w = box.clientWidth, h = box.clientHeight;
    view.x = Math.min(0, Math.max(w - w * view.z, view.x));
    view.y = Math.min(0, Math.max(h - h * view.z, view.y));
    stage.style.transform = 'translate(' + view.x + 'px, ' + view.y + 'px) scale(' + view.z + ')';
  };
  const zoom = (how) => {
    const w = box.clientWidth / 2, h = box.clientHeight / 2;
    const z = how === 'fit' ? 1 : Math.min(8, Math.max(1, view.z * (how === 'in' ? 1.5 : 1 / 1.5)));
    view.x = w - (w - view.x) * z / view.z; view.y = h - (h - view.y) * z / view.z; view.z = z;
    apply();
  };
  for (const b of parentElement.querySelectorAll('.vbq-click-zoom button')) {
    b.onclick = (ev) => { ev.stopPropagation(); zoom(b.dataset.zoom); };
  }
  box.onpointerdown = (ev) => {
    box._drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
  };
  box.onpointermove = (ev) => {
    const d = box._drag;
    if (!d || view.z <= 1) { return; }
    const dx = ev.clientX - d.x, dy = ev.clientY - d.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) { d.moved = true; }
    if (d.moved) { view.x = d.vx + dx; view.y = d.vy + dy; apply(); }
  };
  box.onpointerup = () => { box._dragged = !!(box._drag && box._drag.moved); box._drag = null; };
  box.onpointerleave = () => { box._drag = null; };
  apply();
  box.tabIndex = 0;
  box.onkeydown = (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    const zooms = { '+': 'in', '=': 'in', '-': 'out', '0': 'fit' };
    if (zooms[ev.key]) { ev.preventDefault(); zoom(zooms[ev.key]); return; }
    const k = (ev.key || '').toUpperCase();
    if (Object.prototype.hasOwnProperty.call(data.keys, k)) {
      ev.preventDefault();
      setTriggerValue('level', data.keys[k]);
    }
  };
  img.onclick = (ev) => {
    box.focus({ preventScroll: true });
    if (box._dragged) { box._dragged = false; return; }  // the end of a pan, not a click
    const rect = img.getBoundingClientRect();
    if (!rect.width || !rect.height) { return; }
    const u = (ev.clientX - rect.left) * img.naturalWidth / rect.width;
    const v = (ev.clientY - rect.top) * img.naturalHeight / rect.height;
    setTriggerValue('click', { row: v - 0.5, col: u - 0.5,
                               shown_width: rect.width, shown_height: rect.height });
  };
}
"""

_component = st.components.v2.component("vbq_image_click", html=_HTML, css=_CSS, js=_JS)


@dataclass(frozen=True)
class Circle:
    """A circle to draw: centre (row, column) in pixels, radii in pixels along rows and columns
    (they differ when the pixels are not square), a label and a CSS colour."""

    row: float
    col: float
    r_rows: float
    r_cols: float
    label: str
    colour: str = "#ffcc00"
    active: bool = False


@dataclass(frozen=True)
class Png:
    """An image already encoded for the component: its PNG data URL and its size in pixels.
    Encode a slice once (`encode_png`) and show it again with other circles without
    re-encoding it (a click moves a circle, not the image)."""

    src: str
    height: int
    width: int


def png_data_url(image: np.ndarray) -> str:
    """An 8-bit greyscale image (rows, columns) as a PNG data URL, one PNG pixel per image
    pixel (so the browser's natural size is the image's size)."""
    from PIL import Image

    if image.dtype != np.uint8 or image.ndim != 2:
        raise ValueError(f"image: expected a 2-D uint8 array, got {image.dtype} {image.shape}")
    buf = io.BytesIO()
    Image.fromarray(image, mode="L").save(buf, format="PNG", optimize=False, compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def encode_png(image: np.ndarray) -> Png:
    """`png_data_url` of `image` with its size, to pass to `image_click` as many times as needed."""
    return Png(src=png_data_url(image), height=int(image.shape[0]), width=int(image.shape[1]))


def image_click(image: np.ndarray | Png, *, circles: Sequence[Circle] = (), key: str,
                max_width: int = 640, alt: str = "MRI slice",
                on_click=None, keys: dict[str, str] | None = None,
                on_key=None) -> tuple[float, float] | None:
    """Show `image` (2-D uint8, already windowed, or a `Png` of one) with `circles` over it;
    return the (row, column) of a click in image pixels on the run the click caused, else None.

    `on_click`, if given, is called before the rerun with no arguments (read the value from the
    return on that run, or from ``st.session_state[key]["click"]``). `keys` maps keys pressed
    while the image has focus (upper case, e.g. ``{"1": "L1", "C": "CSF"}``) to a value that
    `on_key` reads from ``st.session_state[key]["level"]`` before the rerun.
    """
    png = image if isinstance(image, Png) else encode_png(image)
    data = {
        "src": png.src,
        "width": png.width,
        "height": png.height,
        "max_width": int(max_width),
        "alt": str(alt),
        "keys": {str(k).upper(): str(v) for k, v in (keys or {}).items()},
        "circles": [
            {"row": float(c.row), "col": float(c.col), "r_rows": float(c.r_rows),
             "r_cols": float(c.r_cols), "label": str(c.label), "colour": str(c.colour),
             "active": bool(c.active)}
            for c in circles
        ],
    }
    json.dumps(data)  # fail here, not in the browser, on anything not serialisable
    result = _component(data=data, key=key, on_click_change=on_click or (lambda: None),
                        on_level_change=on_key or (lambda: None))
    click = getattr(result, "click", None)
    if not click:
        return None
    return float(click["row"]), float(click["col"])
