"""A drawing pad for the latent explorer (notebook 05, "Hang your own item"): white ink on black, like the data.

:class:`DrawingPad` is an anywidget (its JupyterLab front end ships in the ``anywidget`` wheel): a square canvas
drawn with Pointer Events (mouse, pen and touch alike; ``touch-action: none`` so a finger draws instead of
scrolling). When a stroke ends, the page sends the canvas as grey bytes, one uint8 per pixel, row by row
(``pixels``, ``size`` x ``size``): the red channel of the canvas, which is white ink (255) on black (0).
``brush`` (the line width in canvas pixels) and ``erase`` (draw black) are set from Python (the explorer's
slider and toggle, which the keyboard reaches); :meth:`DrawingPad.clear` blanks the canvas and sends it.
:func:`pad_image` turns ``pixels`` into an array for :func:`ae_helpers.hang.to_item`.
"""

from __future__ import annotations

import anywidget
import numpy as np
import traitlets
from ipywidgets.widgets.trait_types import bytes_serialization

SIZE = 280  # canvas pixels per side (10 x 28), drawn at the same size in CSS pixels

_ESM = r"""
function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.className = "ae-pad-canvas";
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", model.get("label"));
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const blank = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, size, size); };
  blank();
  let last = null;
  const at = (e) => {   // the pointer in canvas pixels, whatever size the page draws the canvas
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * size / r.width, (e.clientY - r.top) * size / r.height];
  };
  const line = (p, q) => {
    ctx.strokeStyle = model.get("erase") ? "#000" : "#fff";
    ctx.lineWidth = model.get("brush");
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(p[0], p[1]);
    ctx.lineTo(q[0], q[1]);
    ctx.stroke();
  };
  const send = () => {
    const rgba = ctx.getImageData(0, 0, size, size).data;
    const grey = new Uint8Array(size * size);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
    model.set("pixels", new DataView(grey.buffer));
    model.save_changes();
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, last);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (last === null) return;
    e.preventDefault();
    const p = at(e);
    line(last, p);
    last = p;
  });
  const end = () => { if (last !== null) { last = null; send(); } };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  model.on("msg:custom", (msg) => { if (msg && msg.clear) { blank(); send(); } });
  el.classList.add("ae-pad");
  el.appendChild(canvas);
}
export default { render };
"""

_CSS = """
.ae-pad-canvas { width: 280px; height: 280px; touch-action: none; cursor: crosshair; border: 1px solid #555;
                 display: block; }
.ae-pad-canvas:focus { outline: 3px solid #1a73e8; outline-offset: 2px; }
"""


class DrawingPad(anywidget.AnyWidget):
    """A square canvas to draw on with the mouse, a pen or a finger; ``pixels`` holds the drawing after each
    stroke (grey bytes, ``size`` x ``size``, white ink on black)."""

    _esm = _ESM
    _css = _CSS
    size = traitlets.Int(SIZE).tag(sync=True)
    brush = traitlets.Int(18).tag(sync=True)
    erase = traitlets.Bool(False).tag(sync=True)
    label = traitlets.Unicode("Drawing pad: draw an item with the mouse, a pen or a finger (white ink on "
                              "black). Keyboard: upload a photo instead.").tag(sync=True)
    pixels = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)

    def clear(self):
        """Blank the canvas in the browser; the page then sends the empty drawing."""
        self.send({"clear": True})

    def image(self) -> np.ndarray:
        """The current drawing as a (size, size) uint8 array (see :func:`pad_image`)."""
        return pad_image(self.pixels, self.size)


def pad_image(pixels, size: int = SIZE) -> np.ndarray:
    """The pad's message (grey bytes, row by row) as a ``(size, size)`` uint8 array; a one-line ValueError for
    anything else."""
    if not isinstance(pixels, (bytes, bytearray, memoryview)):
        raise ValueError(f"the pad's pixels must be bytes (one grey uint8 per pixel), got {type(pixels).__name__}")
    if len(pixels) != size * size:
        raise ValueError(f"the pad sent {len(pixels):,} bytes, expected {size} x {size} = {size * size:,} "
                         "(one grey byte per canvas pixel): redraw, or reload the page if it keeps happening")
    return np.frombuffer(bytes(pixels), np.uint8).reshape(size, size)
