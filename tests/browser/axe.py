"""An accessibility audit with axe-core (npm, in slides/node_modules: ``npm ci`` in slides/), injected into a
page that is already open. No network: the script is read from disk and added with ``add_script_tag``; axe's
preload (it re-fetches stylesheets with XMLHttpRequest, which file:// pages refuse) is off."""

from __future__ import annotations

from . import jlab

AXE_JS = jlab.REPO / "slides" / "node_modules" / "axe-core" / "axe.min.js"
#: The impacts that fail a test (axe's scale: minor, moderate, serious, critical).
BLOCKING = ("serious", "critical")


def audit(page_or_frame, impacts=BLOCKING, disable=(), context=None) -> list[str]:
    """axe-core's violations of ``impacts`` on the page (or frame), one line each: rule, impact, where, help.
    ``disable``: rule ids to skip (say why where you call it). ``context``: what to audit, in axe's terms
    (``{"include": [selector, ...], "exclude": [...]}``); the whole document by default."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` in slides/ (package.json lists axe-core)")
    if not page_or_frame.evaluate("() => typeof window.axe !== 'undefined'"):
        page_or_frame.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    rules = {rule: {"enabled": False} for rule in disable}
    result = page_or_frame.evaluate("async ([rules, context]) => await axe.run(context || document, {rules, "
                                    "preload: false, resultTypes: ['violations']})", [rules, context])
    found = []
    for v in result["violations"]:
        if v.get("impact") in impacts:
            where = "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                              for n in v["nodes"][:3])
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements, e.g. {where}): {v['help']}")
    return found
