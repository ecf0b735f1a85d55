"""The explorer's sliders (z1, z2, the pad's brush): a native ``<input type="range">`` that a screen reader names.

ipywidgets 8's ``FloatSlider`` draws its handle with noUiSlider, a ``div`` with ``role="slider"`` that gets no
accessible name: its description is a ``<label>`` tied to nothing, and its ``tooltip`` goes to that label's title
(axe-core: "ARIA input fields must have an accessible name"). :class:`NamedSlider` is an anywidget (its front end
ships in the ``anywidget`` wheel) with the same Python side as a ``FloatSlider`` where the explorer uses one:
``value``, ``min``, ``max``, ``step`` and ``description``, synced both ways, ``value`` kept within
``[min, max]``, ``min > max`` refused, and ``observe(..., "value")`` running synchronously when Python sets it.
In the page: a visible ``<label>`` (the description) tied to the input, the input's ``aria-label`` (``label``, a
longer name for screen readers; the description when empty), and the value as text (an ``<output>``, ``decimals``
places; also the input's ``aria-valuetext``). The browser makes it operable from the keyboard (arrow keys, Page
Up/Down, Home, End) and sends every step while it moves. Those keys stop at the slider (JupyterLab, which listens
for its shortcuts on the document, does not see them: the arrow keys move the slider, not the deck's slides; every
other shortcut still works); Esc leaves the slider (a second Esc reaches JupyterLab).
:class:`NamedIntSlider` is the same with whole numbers.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
let count = 0;
const OWN_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End"];
function render({ model, el }) {
  const id = `ae-slider-${Math.random().toString(36).slice(2)}-${count++}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "ae-slider-label";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  input.className = "ae-slider-input";
  const readout = document.createElement("output");
  readout.setAttribute("for", id);
  readout.className = "ae-slider-readout";
  const text = (v) => Number(v).toFixed(model.get("decimals"));
  const show = () => {
    label.textContent = model.get("description");
    input.setAttribute("aria-label", model.get("label") || model.get("description"));
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = model.get("step") > 0 ? model.get("step") : "any";
    input.value = model.get("value");
    readout.textContent = text(model.get("value"));
    input.setAttribute("aria-valuetext", readout.textContent);
  };
  input.addEventListener("input", () => {
    model.set("value", Number(input.value));
    model.save_changes();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") input.blur();
    if (e.key === "Escape" || OWN_KEYS.includes(e.key)) e.stopPropagation();
  });
  for (const name of ["value", "min", "max", "step", "description", "label", "decimals"])
    model.on(`change:${name}`, show);
  show();
  el.classList.add("ae-slider");
  el.append(label, input, readout);
}
export default { render };
"""

_CSS = """
.ae-slider { display: flex; align-items: center; gap: 8px; box-sizing: border-box; min-height: 28px; }
.ae-slider-label { flex: 0 0 auto; min-width: 3em; text-align: right; color: var(--jp-ui-font-color1, #1a1a1a); }
.ae-slider-input { flex: 1 1 auto; min-width: 60px; margin: 0; accent-color: #1a73e8; cursor: pointer; }
.ae-slider-input:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
.ae-slider-readout { flex: 0 0 auto; min-width: 3.5em; font-variant-numeric: tabular-nums;
                     color: var(--jp-ui-font-color1, #1a1a1a); }
"""


class NamedSlider(anywidget.AnyWidget):
    """A slider for a float ``value`` in ``[min, max]`` (steps of ``step``) whose handle has an accessible name:
    ``label`` (for screen readers), else ``description`` (the visible label). The value shows with ``decimals``
    places."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.CFloat(0.0).tag(sync=True)
    min = traitlets.CFloat(0.0).tag(sync=True)
    max = traitlets.CFloat(100.0).tag(sync=True)
    step = traitlets.CFloat(0.1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    decimals = traitlets.Int(2).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.value = self.value  # the default value, too, within [min, max]

    @traitlets.validate("value")
    def _within(self, proposal):
        value = proposal["value"]
        if self.min > value or self.max < value:  # NaN passes: the explorer reports and reverts it
            value = min(max(value, self.min), self.max)
        return value

    @traitlets.validate("min")
    def _check_min(self, proposal):
        lo = proposal["value"]
        if lo > self.max:
            raise traitlets.TraitError(f"{self.description or 'slider'}: min {lo} > max {self.max}; "
                                       "set max first when moving both up")
        if lo > self.value:
            self.value = lo
        return lo

    @traitlets.validate("max")
    def _check_max(self, proposal):
        hi = proposal["value"]
        if hi < self.min:
            raise traitlets.TraitError(f"{self.description or 'slider'}: max {hi} < min {self.min}; "
                                       "set min first when moving both down")
        if hi < self.value:
            self.value = hi
        return hi


class NamedIntSlider(NamedSlider):
    """:class:`NamedSlider` for whole numbers."""

    value = traitlets.CInt(0).tag(sync=True)
    min = traitlets.CInt(0).tag(sync=True)
    max = traitlets.CInt(100).tag(sync=True)
    step = traitlets.CInt(1).tag(sync=True)
    decimals = traitlets.Int(0).tag(sync=True)
