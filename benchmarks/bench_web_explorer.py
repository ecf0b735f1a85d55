"""How fast is the in-browser latent explorer, and how big is what an instructor copies to a USB stick?

    .venv/bin/python benchmarks/bench_web_explorer.py            # uses slides/build/explorer.html (make explorer)
    .venv/bin/python benchmarks/bench_web_explorer.py --quick    # builds a quick-mode page in a temp folder
    .venv/bin/python benchmarks/bench_web_explorer.py --page DIR/explorer.html   # a page built elsewhere

Opens explorer.html in Chromium (Playwright, the system's /usr/bin/chromium, from file://, network blocked),
presses on the map and dispatches pointer moves along a path across it. Each move runs the page's real
handler (decode z through the three dense layers + draw Brian's item, the map and its marker + find the nearest
training code for the verdict (all 60,000 in full mode, brute force) and the nearest carried test item for the
picture + write the panel); the time of each synchronous dispatch is taken with performance.now().
Moves are timed in blocks of 10 (the page's clock ticks in 0.1 ms steps). Prints the median and p90 of the
per-move time (target: median <= 2 ms), the decode alone, the nearest-item search alone, and the sizes of
explorer/, its data file, and slides/build/.

Hang your own item: strokes are drawn on the pad (280 x 280 CSS pixels, 140 x 140 held) and each drawing
update the page runs while drawing (hang-ui.js ``update``: read the pad's pixels, AEHang.toItem, encode,
decode, error percentile, the 5 nearest carried items, draw the panel) is timed one by one, median over
--updates (target: median <= 5 ms), with toItem and encode alone. The page's added size for hanging your own
item and switching wardrobe, in two parts: what loads with the page (explorer-hang-data.js: the plain encoder, its
test errors and the list of wardrobes; hang.js inlined into explorer.html; hang-ui.js; budget 2 MB) and what loads
only when the reader first switches to the VAE (explorer-vae-data.js: its encoder, decoder, verdict set, map, codes
and errors), part by part. Then the switch itself is timed: the first (add the VAE's <script>, load and parse its
file, show its map and item) and a later one (already loaded).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("AE_CHROMIUM", "/usr/bin/chromium")

MOVES_JS = """(n) => {
    const ex = aeExplorer.instances[0], c = ex.mapCanvas, r = c.getBoundingClientRect();
    const box = AE_EXPLORER_DATA.map.box, sx = r.width / c.width, sy = r.height / c.height;
    const at = (t) => ({clientX: r.left + (box[0] + (0.1 + 0.8 * t) * (box[1] - box[0])) * sx,
                        clientY: r.top + (box[2] + (0.1 + 0.8 * Math.abs(Math.sin(7 * t))) * (box[3] - box[2])) * sy,
                        pointerId: 1, bubbles: true, buttons: 1});
    c.dispatchEvent(new PointerEvent("pointerdown", at(0)));
    // performance.now() ticks in 0.1 ms steps here, so time blocks of 10 moves and divide
    const times = [], block = 10;
    for (let i = 0; i < n; i += block) {
        const evs = [];
        for (let j = 0; j < block; j++) evs.push(new PointerEvent("pointermove", at((i + j) / n)));
        const t0 = performance.now();
        for (const ev of evs) c.dispatchEvent(ev);
        times.push((performance.now() - t0) / block);
    }
    c.dispatchEvent(new PointerEvent("pointerup", at(1)));
    const dec = [], near = [], e = AE_EXPLORER_DATA.map.extent;
    for (let i = 0; i < n; i += block) {
        const t0 = performance.now();
        for (let j = 0; j < block; j++) aeExplorer.decode([Math.sin(i + j), Math.cos(i + j)]);
        dec.push((performance.now() - t0) / block);
        const t1 = performance.now();
        for (let j = 0; j < block; j++) {
            const t = (i + j) / n;
            ex.nearestItem([e[0] + t * (e[1] - e[0]), e[2] + Math.abs(Math.sin(7 * t)) * (e[3] - e[2])]);
        }
        near.push((performance.now() - t1) / block);
    }
    return {moves: times, decode: dec, nearest: near, items: ex.labels.length,
            train: ex.trainCodes ? ex.trainCodes.length / 2 : 0};
}"""


UPDATES_JS = """(n) => {
    const h = aeExplorer.instances[0].hang, ctx = h.padCtx, times = [], pre = [], enc = [];
    const w = h.pad.width, s = w / 280;  // the pad's pixels per CSS pixel
    h.clear();
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 18 * s; ctx.lineCap = "round";
    for (let i = 0; i < n; i++) {  // one more segment of a zigzag, then the update the page runs while drawing
        const t = i / n;
        ctx.beginPath();
        ctx.moveTo(s * (60 + 160 * t), s * (40 + 200 * Math.abs(Math.sin(9 * t))));
        ctx.lineTo(s * (60 + 160 * (t + 1 / n)), s * (40 + 200 * Math.abs(Math.sin(9 * (t + 1 / n)))));
        ctx.stroke();
        const t0 = performance.now();
        h.update(false);
        times.push(performance.now() - t0);
    }
    const rgba = ctx.getImageData(0, 0, w, w).data;
    for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const item = AEHang.toItem(rgba, w, w).item;
        const t1 = performance.now();
        aeExplorer.encodeInto(item, aeExplorer.instances[0].w);
        pre.push(t1 - t0);
        enc.push(performance.now() - t1);
    }
    return {updates: times, toItem: pre, encode: enc};
}"""


SWITCH_JS = """async () => {
    const ex = aeExplorer.instances[0], t0 = performance.now();
    const W = await ex.setWardrobe(1);  // the first: loads its file
    const t1 = performance.now();
    if (W.index !== 1) throw new Error("the switch to wardrobe 1 failed: " + ex.wardrobeStatus.textContent);
    ex.setWardrobe(0);
    const t2 = performance.now();
    await ex.setWardrobe(1);  // already loaded
    const t3 = performance.now();
    ex.setWardrobe(0);
    return {label: W.label, first: t1 - t0, later: t3 - t2};
}"""


def _parts(page_path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Bytes the page adds for hanging your own item and switching wardrobe, part by part (JSON as written): what
    loads with the page, and what loads when the reader first switches to another wardrobe."""
    from ae_helpers.explorer import web
    from ae_helpers.hang import js_source

    folder = page_path.parent / "explorer"
    data = web.read_data(folder / web.DATA_FILE)

    def size(part) -> int:
        return len(json.dumps(part, separators=(",", ":")))

    initial = {"encoder (plain)": size(data["encoder"]), "test errors (plain)": size(data["errors"]),
               "hang.js (inlined)": len(js_source().encode()), "hang-ui.js": (folder / "hang-ui.js").stat().st_size}
    initial["initial added (explorer-hang-data.js + hang.js + hang-ui.js)"] = (
        (folder / web.HANG_FILE).stat().st_size + initial["hang.js (inlined)"] + initial["hang-ui.js"])
    on_demand = {}
    for w in data["wardrobes"][1:]:
        name = web.wardrobe_file(w["key"])[0]
        for part in ("encoder", "layers", "verdict", "map", "codes", "errors"):
            on_demand[f"{w['label']}: {'decoder' if part == 'layers' else part}"] = size(w[part])
        on_demand[f"on demand, the {w['label']}'s wardrobe ({name})"] = (folder / name).stat().st_size
    return initial, on_demand


def _size(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="build a quick-mode page in a temporary folder")
    parser.add_argument("--page", type=Path, help="an explorer.html built elsewhere (default: slides/build/)")
    parser.add_argument("--moves", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=200, help="drawing updates to time (at least 50)")
    args = parser.parse_args(argv)
    spec = importlib.util.spec_from_file_location("slides_build", ROOT / "slides" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    page_path = Path(build.BUILD_DIR) / build.EXPLORER_PAGE
    if args.page:
        page_path = args.page.resolve()
    elif args.quick:
        page_path = build.build_explorer(tempfile.mkdtemp(prefix="explorer-"), quick=True, quiet=True)
    elif not page_path.is_file():
        print(f"{page_path} is missing: run `make explorer` (or pass --quick)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                   else r.abort())
        page.goto(page_path.as_uri())
        page.wait_for_function("() => window.aeExplorer && aeExplorer.ready")
        page.evaluate(MOVES_JS, 200)  # warm-up: let V8 optimise the loops
        result = page.evaluate(MOVES_JS, args.moves)
        hanging = switch = None
        if page.evaluate("() => !!aeExplorer.instances[0].hang"):
            page.evaluate(UPDATES_JS, 30)  # warm-up
            hanging = page.evaluate(UPDATES_JS, max(50, args.updates))
        if page.evaluate("() => aeExplorer.wardrobes > 1 && !!aeExplorer.instances[0].switches"):
            switch = page.evaluate(SWITCH_JS)
        ref = json.loads((page_path.parent / "explorer" / "decode-reference.json").read_text())
        err = max(max(abs(a - b) for a, b in zip(page.evaluate("z => aeExplorer.decode(z)", z), want))
                  for z, want in zip(ref["z"], ref["decoded"]))
        version = browser.version
        browser.close()
    moves, dec, near = sorted(result["moves"]), sorted(result["decode"]), sorted(result["nearest"])
    p90 = moves[int(0.9 * len(moves))]
    print(f"Chromium {version}, {result['items']} carried items, verdict against {result['train']} training codes, "
          f"{args.moves} pointer moves (in blocks of 10) on {page_path}")
    print(f"one pointer move (decode + draw + nearest + panel): median {statistics.median(moves):.3f} ms, "
          f"p90 {p90:.3f} ms (target: median <= 2 ms; the browser's own painting of the canvases comes after)")
    print(f"decode alone: median {statistics.median(dec):.3f} ms")
    print(f"nearest alone ({result['train']} training codes + {result['items']} carried items, brute force): "
          f"median {statistics.median(near):.3f} ms, p90 {near[int(0.9 * len(near))]:.3f} ms")
    print(f"page decode vs torch's model.decode at {len(ref['z'])} z (map corners, centre, random): "
          f"max {err:.1e} per pixel (target <= 1e-5)")
    if hanging:
        upd = sorted(hanging["updates"])
        print(f"one drawing update on the pad (read its pixels + AEHang.toItem + encode + decode + percentile + "
              f"5 nearest + panel), {len(upd)} updates: median {statistics.median(upd):.2f} ms, "
              f"p90 {upd[int(0.9 * len(upd))]:.2f} ms (target: median <= 5 ms)")
        print(f"  AEHang.toItem alone: median {statistics.median(hanging['toItem']):.2f} ms; encode alone: "
              f"median {statistics.median(hanging['encode']):.2f} ms")
        initial, on_demand = _parts(page_path)
        print("page's added size for hanging your own item, loaded with the page (bytes as written; budget 2 MB):")
        for name, n in initial.items():
            print(f"  {name}: {n / 1e6:.2f} MB")
        print("loaded only when the reader first switches to another wardrobe (bytes as written):")
        for name, n in on_demand.items():
            print(f"  {name}: {n / 1e6:.2f} MB")
    else:
        print("this page has no drawing pad (no data-hang explorer): drawing updates not timed")
    if switch:
        print(f"switch to the {switch['label']}: the first {switch['first']:.0f} ms (add its <script>, load and parse "
              f"its file, show its map and item), a later one {switch['later']:.1f} ms")
    data_file = page_path.parent / "explorer" / "explorer-data.js"
    print(f"explorer/ folder: {_size(page_path.parent / 'explorer'):.1f} MB (explorer-data.js: "
          f"{data_file.stat().st_size:,} bytes)")
    if (Path(build.BUILD_DIR) / build.DECK_NAME).is_file() and not args.quick:
        print(f"slides/build/ in all (deck + explorer + reveal.js + MathJax): {_size(Path(build.BUILD_DIR)):.1f} MB "
              "(aim <= 15 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
