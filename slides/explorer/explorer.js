/* The course's 2D latent explorer in the browser: no kernel, no framework, no network.
 *
 * explorer-data.js (written by ae_helpers/explorer/web.py at build time) sets window.AE_EXPLORER_DATA:
 * the 2D autoencoder's decoder and encoder (dense layers, float32, base64), the map picture with the pixel box of its
 * plotted area and the latent extent, a few thousand test items (codes, 28x28 pictures, labels), and the
 * verdict's set: the codes of the training items the notebook explorer searches (all 60,000 in full mode) with
 * each one's spacing. This file decodes z with plain multiply-adds on every pointer move, draws it into
 * canvases, and finds the nearest training code (exact, brute force: well under a millisecond) for the verdict,
 * so the page says what the notebook's explorer says at the same point. The picture in the panel is the nearest
 * of the carried test items (60,000 pictures would not travel), and the panel says so.
 *
 * The export may carry several wardrobes (DATA.wardrobes: the plain autoencoder first, then e.g. the VAE, whose
 * code for an item is its mu): each has its own decoder, encoder, map, item codes, verdict set and test errors;
 * the first one's parts sit at the top level of DATA. Each other one lives in its own data file (DATA.wardrobes[k]
 * .file, e.g. explorer-vae-data.js, which sets window.AE_EXPLORER_VAE), a few MB that the page loads only when the
 * reader first switches to it: a <script> tag added then (a file:// page may not fetch), with "loading the VAE's
 * wardrobe..." in the page until it is there, and a one-line message if it cannot be loaded. A root with the
 * attribute data-switch gets radio buttons that switch between them.
 *
 * Every element <div class="ae-explorer"> on the page becomes one explorer (the deck's live slide, or
 * explorer.html). window.aeExplorer is the test hook: decode([z1, z2], k) -> 784 values in [0, 1] (row-major
 * 28x28), encode(x784, k) -> [z1, z2] (wardrobe k, default 0; another than the first once loaded:
 * loadWardrobe(k) -> a Promise), pixelToZ(px, py), and the mounted instances (moveTo, setWardrobe(k) -> a Promise of
 * the wardrobe shown then, state). Other scripts (hang-ui.js) add to an instance through its overlays (drawn on
 * the map) and wardrobeListeners.
 */
(function () {
  "use strict";
  var DATA = window.AE_EXPLORER_DATA;
  var PIXELS = 784;
  // where this script, and the wardrobes' data files beside it, come from (explorer/ next to the page)
  var BASE = (function () {
    var s = typeof document !== "undefined" && document.currentScript;
    return s && s.src ? s.src.replace(/[^\/?#]*([?#].*)?$/, "") : "explorer/";
  })();

  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function floats(b64) { return new Float32Array(bytes(b64).buffer); }

  // ----- the networks: Linear -> ReLU -> ... -> Linear (-> sigmoid), in float32 like torch ---------------
  function parseLayers(list) {
    return (list || []).map(function (l) {
      return { n_in: l.in, n_out: l.out, act: l.act, w: floats(l.w), b: floats(l.b), y: new Float32Array(l.out) };
    });
  }

  /** Run dense layers on x (numbers); returns the last layer's Float32Array (reused: copy it to keep it). */
  function runLayers(layers, input) {
    var x = Float32Array.from(input);  // torch sees the input as float32
    for (var k = 0; k < layers.length; k++) {
      var L = layers[k], w = L.w, b = L.b, y = L.y, n = L.n_in;
      for (var o = 0; o < L.n_out; o++) {
        var s = 0, row = o * n;
        for (var i = 0; i < n; i++) s += w[row + i] * x[i];
        s += b[o];
        if (L.act === "relu") s = s > 0 ? s : 0;
        else if (L.act === "sigmoid") s = 1 / (1 + Math.exp(-s));
        y[o] = s;  // stored as float32, as torch keeps each layer's output
      }
      x = y;
    }
    return x;
  }

  // ----- the wardrobes (models): the first comes with the page, the others' files on demand; parsed on first use
  var wardrobeList = DATA ? (DATA.wardrobes || [{ key: "plain", label: "plain autoencoder" }]) : [];
  var parsed = [], loading = [];

  function checkIndex(k) {
    if (!(k >= 0 && k < wardrobeList.length)) {
      throw new Error("no wardrobe " + k + ": this page carries " + wardrobeList.length);
    }
  }

  /** Whether wardrobe k's data is on the page (the first always is). */
  function isLoaded(k) {
    checkIndex(k || 0);
    return !k || !!window[wardrobeList[k].global];
  }

  /** Wardrobe k: { key, label, dec, enc (layers), map, codes, trainCodes, spacing, nTrain, start, errors }. */
  function wardrobe(k) {
    k = k || 0;
    checkIndex(k);
    if (parsed[k]) return parsed[k];
    if (!isLoaded(k)) {
      throw new Error("the " + wardrobeList[k].label + "'s wardrobe is not loaded yet: aeExplorer.loadWardrobe(" + k +
                      ") loads it");
    }
    var w = k === 0 ? { key: wardrobeList[0].key, label: wardrobeList[0].label, layers: DATA.layers,
                        encoder: DATA.encoder, map: DATA.map, codes: DATA.items.codes, verdict: DATA.verdict,
                        start: DATA.start, errors: DATA.errors } : window[wardrobeList[k].global];
    parsed[k] = { index: k, key: w.key, label: w.label, dec: parseLayers(w.layers), enc: parseLayers(w.encoder),
                  map: w.map, codes: floats(w.codes), trainCodes: floats(w.verdict.codes),
                  spacing: floats(w.verdict.spacing), nTrain: w.verdict.n, start: w.start.slice(),
                  errors: w.errors ? floats(w.errors.sorted) : null };
    return parsed[k];
  }

  /** A Promise of wardrobe(k). Another wardrobe than the first is loaded the first time it is asked for: its
   *  data file (explorer/explorer-vae-data.js for the VAE) as a <script> tag, which works from file://. It
   *  fails with a one-line message that says what to do. */
  function loadWardrobe(k) {
    try {
      if (isLoaded(k)) return Promise.resolve(wardrobe(k));
    } catch (e) {
      return Promise.reject(e);
    }
    if (!loading[k]) {
      loading[k] = new Promise(function (resolve, reject) {
        var entry = wardrobeList[k], tag = document.createElement("script");
        function fail(why) {
          loading[k] = null;  // a later switch tries again
          tag.remove();
          reject(new Error("could not load the " + entry.label + "'s wardrobe: explorer/" + entry.file + " " + why +
                           "; keep the explorer/ folder next to this page, or rebuild it (make explorer)"));
        }
        tag.onload = function () {
          if (!window[entry.global]) return fail("does not set " + entry.global);
          try {
            resolve(wardrobe(k));
          } catch (e) {
            fail("is damaged (" + e.message + ")");
          }
        };
        tag.onerror = function () { fail("is missing or unreadable"); };
        tag.src = BASE + entry.file;
        document.head.appendChild(tag);
      });
    }
    return loading[k];
  }

  /** Brian's item at z (2 numbers) in wardrobe W: the decoder's Float32Array(784) (reused). */
  function decodeInto(z, W) { return runLayers((W || wardrobe(0)).dec, z); }

  /** Where wardrobe W hangs a 28 x 28 item (784 numbers in [0, 1], row-major): its code z (a VAE's mu). */
  function encodeInto(x, W) {
    W = W || wardrobe(0);
    if (!W.enc.length) throw new Error("this page's data carries no encoder: rebuild it (make explorer)");
    return runLayers(W.enc, x);
  }

  function decode(z, k) {
    if (!Array.isArray(z) || z.length !== 2 || !z.every(isFinite)) {
      throw new Error("aeExplorer.decode expects [z1, z2], two finite numbers; got " + JSON.stringify(z));
    }
    return Array.from(decodeInto(z, wardrobe(k)));
  }

  function encode(x, k) {
    if (!x || x.length !== PIXELS) {
      throw new Error("aeExplorer.encode expects 784 pixel values (a 28 x 28 item, row-major); got " +
                      (x && x.length) + " values");
    }
    for (var i = 0; i < PIXELS; i++) {
      if (!isFinite(x[i])) throw new Error("aeExplorer.encode: pixel " + i + " is not a finite number");
    }
    return Array.from(encodeInto(x, wardrobe(k)));
  }

  // ----- the map: pixel <-> z, the same linear mapping as ae_helpers.explorer.geometry ------------------
  function pixelToZ(px, py, map) {
    var bx = map.box, e = map.extent;  // box: columns of z1 = e[0], e[1]; rows of z2 = e[2], e[3]
    return [e[0] + (px - bx[0]) / (bx[1] - bx[0]) * (e[1] - e[0]),
            e[2] + (py - bx[2]) / (bx[3] - bx[2]) * (e[3] - e[2])];
  }
  function zToPixel(z, map) {
    var bx = map.box, e = map.extent;
    return [bx[0] + (z[0] - e[0]) / (e[1] - e[0]) * (bx[1] - bx[0]),
            bx[2] + (z[1] - e[2]) / (e[3] - e[2]) * (bx[3] - bx[2])];
  }

  function el(tag, attrs, parent) {
    var e = document.createElement(tag);
    for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    if (parent) parent.appendChild(e);
    return e;
  }

  /** Ink levels in [0, 1] -> grey pixels (black ink on white paper) of an ImageData, 28 x 28. */
  function paint(img, values, offset) {
    var d = img.data;
    for (var p = 0; p < PIXELS; p++) {
      var v = values[offset + p], g = 255 - Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
      d[4 * p] = d[4 * p + 1] = d[4 * p + 2] = g;
      d[4 * p + 3] = 255;
    }
  }

  function fmt(v, n) { return v.toFixed(n === undefined ? 2 : n); }

  /** The notebook explorer's graded verdict (ae_helpers.latent.verdict), word for word: the grades and the
   *  scale (``spacing``: the distance from the nearest training item to its k-th nearest one, latent.local_spacing among
   *  the training codes, exported per training item; k = latent.SPACING_NEIGHBOURS) come from the export. */
  /** latent.ratio_text: rounded up to 2 decimals; a ratio just below a grade's limit gets more decimals rather than
   *  print as the limit itself (1.495 shows as 1.495, not 1.50). */
  function ratioText(ratio, limits) {
    var places = 2, shown = 0, atEdge = true;
    for (; places < 7 && atEdge; places++) {
      shown = Math.ceil(ratio * Math.pow(10, places) - 1e-9) / Math.pow(10, places);
      atEdge = limits.some(function (edge) { return shown === edge && edge > ratio; });
    }
    return shown.toFixed(places - 1);
  }

  function verdictOf(distance, spacing) {
    var v = DATA.verdict, ratio = distance / spacing, grade = 0;
    while (v.grades[grade][0] !== null && ratio > v.grades[grade][0]) grade++;
    var words = v.grades[grade][1];
    return { grade: grade, words: words, text: "latent distance to the nearest real item " + fmt(distance, 3) +
             " = " + ratioText(ratio, v.grades.map(function (g) { return g[0]; }).filter(function (e) {
               return e !== null; })) + "x its spacing (" + fmt(spacing, 3) +
             ", the distance from that item to its " + v.neighbours + "th nearest real item): the point hangs " + words };
  }

  function Explorer(root) {
    var self = this, items = DATA.items, steps = DATA.steps;
    this.root = root;
    this.labels = bytes(items.labels);
    this.overlays = [];  // functions (ctx, explorer) that draw on the map after the marker
    this.wardrobeListeners = [];  // functions (explorer) called after a switch of wardrobe
    this.useWardrobe(wardrobe(0));
    var map = this.w.map;
    this.sprite = new Image();  // the items' pictures, one PNG sheet of 28 x 28 tiles, items.cols a row
    root.textContent = "";
    root.classList.add("ae-explorer-live");

    var left = el("div", { "class": "ae-col ae-left" }, root);
    el("div", { "class": "ae-title", text: "Brian's wardrobe, live in your browser" }, left);
    el("p", { "class": "ae-help", text: "Drag on the map (or use the sliders / arrow keys): Brian (the decoder) " +
      "sews the item at that point." }, left);
    if (root.hasAttribute("data-switch") && wardrobeList.length > 1) {
      var sw = el("fieldset", { "class": "ae-wardrobes" }, left);
      el("legend", { text: "Wardrobe" }, sw);
      this.switches = wardrobeList.map(function (w, k) {
        var lab = el("label", {}, sw);
        var r = el("input", { type: "radio", name: "ae-wardrobe-" + Explorer.count, value: w.key,
                              "class": "ae-wardrobe-" + w.key }, lab);
        r.checked = k === 0;
        lab.appendChild(document.createTextNode(" " + w.label));
        r.addEventListener("change", function () { if (r.checked) self.setWardrobe(k); });
        return r;
      });
      // "loading the VAE's wardrobe...", or why it could not be loaded
      this.wardrobeStatus = el("p", { "class": "ae-status ae-wardrobe-status", role: "status",
                                      "aria-live": "polite" }, left);
    }
    this.wanted = 0;  // the wardrobe the reader asked for last (a slow load must not override a later choice)
    Explorer.count++;
    var mapBox = el("div", { "class": "ae-map-box" }, left);
    this.mapCanvas = el("canvas", { "class": "ae-map", width: map.width, height: map.height, tabindex: "0",
      role: "img", "aria-label": "latent map: drag or use the arrow keys to move z" }, mapBox);
    this.mapCtx = this.mapCanvas.getContext("2d");
    this.mapImage = new Image();
    this.sliders = [0, 1].map(function (k) {
      var row = el("label", { "class": "ae-slider" }, left);
      el("span", { text: "z" + (k + 1) + " " }, row);
      var lo = map.extent[2 * k], hi = map.extent[2 * k + 1];
      var s = el("input", { type: "range", min: lo, max: hi, step: (hi - lo) / 500, "class": "ae-z" + (k + 1),
        "aria-label": "z" + (k + 1) }, row);
      s.readout = el("output", { "class": "ae-readout" }, row);
      s.addEventListener("input", function () { self.moveTo(+self.sliders[0].value, +self.sliders[1].value); });
      return s;
    });
    this.status = el("div", { "class": "ae-status", role: "status" }, left);

    var right = el("div", { "class": "ae-col ae-right" }, root);
    el("div", { "class": "ae-caption", text: "Brian's item at z" }, right);
    this.item = el("canvas", { "class": "ae-item", width: 28, height: 28, role: "img",
                               "aria-label": "Brian's item at z" }, right);
    this.itemCtx = this.item.getContext("2d");
    this.itemData = this.itemCtx.createImageData(28, 28);
    var near = el("div", { "class": "ae-nearest-box" }, right);
    this.nearCanvas = el("canvas", { "class": "ae-near", width: 28, height: 28, role: "img",
                                     "aria-label": "the nearest item this page carries" }, near);
    this.nearCtx = this.nearCanvas.getContext("2d");
    this.nearInfo = el("div", { "class": "ae-nearest" }, near);
    el("b", { text: "Nearest item this page carries: " }, this.nearInfo);
    this.nearSwatch = el("span", { "class": "ae-swatch", "aria-hidden": "true" }, this.nearInfo);  // its map colour
    this.nearText = [el("span", {}, this.nearInfo)];
    el("br", {}, this.nearInfo);
    el("span", { "class": "ae-verdict-set", text: "Verdict, measured like the notebook's explorer among all " +
      DATA.verdict.n.toLocaleString("en-US") + " training items: " }, this.nearInfo);
    this.verdict = el("b", {}, this.nearInfo);

    var strip = el("div", { "class": "ae-strip-box" }, root);
    el("div", { "class": "ae-caption", text: "Interpolation: a straight line from one item's code to " +
      "another's (the path on the map)" }, strip);
    var pickRow = el("div", { "class": "ae-picks" }, strip);
    this.picks = [["from", 0], ["to", 7]].map(function (p) {
      var group = el("span", { "class": "ae-pick" }, pickRow);
      var lab = el("label", { text: p[0] + " " }, group);
      var sel = el("select", { "class": "ae-pick-" + p[0], "aria-label": "interpolate " + p[0] }, lab);
      DATA.classes.forEach(function (name, k) { el("option", { value: k, text: name }, sel); });
      sel.value = p[1];
      var numLab = el("label", { text: " example " }, group);  // its own label: which item of the class
      var num = el("input", { type: "number", min: 0, value: 0, "class": "ae-pick-k ae-pick-k-" + p[0],
        "aria-label": "interpolate " + p[0] + ": example number" }, numLab);
      sel.addEventListener("change", function () { self.drawStrip(); });
      num.addEventListener("input", function () { self.drawStrip(); });
      return { cls: sel, k: num };
    });
    this.strip = el("canvas", { "class": "ae-strip", width: steps * 30 - 2, height: 28, role: "img",
                                "aria-label": "interpolation strip: Brian's items along the path" }, strip);
    this.stripCtx = this.strip.getContext("2d");
    this.stripInfo = el("div", { "class": "ae-strip-info" }, strip);
    this.path = null;

    // pointer: press and drag on the map; keys: arrows move one slider step (Shift: ten)
    var dragging = false, r = null;
    function pointer(ev) {
      var m = self.w.map;
      var px = (ev.clientX - r.left) * m.width / r.width, py = (ev.clientY - r.top) * m.height / r.height;
      var z = pixelToZ(px, py, m);
      self.moveTo(z[0], z[1]);
    }
    this.mapCanvas.addEventListener("pointerdown", function (ev) {
      dragging = true;
      r = self.mapCanvas.getBoundingClientRect();  // the drawn size (the deck scales slides); fixed while dragging
      if (self.mapCanvas.setPointerCapture) self.mapCanvas.setPointerCapture(ev.pointerId);
      self.mapCanvas.focus();
      ev.preventDefault();
      pointer(ev);
    });
    this.mapCanvas.addEventListener("pointermove", function (ev) { if (dragging) pointer(ev); });
    ["pointerup", "pointercancel"].forEach(function (t) {
      self.mapCanvas.addEventListener(t, function () { dragging = false; });
    });
    this.mapCanvas.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") {  // give the arrow keys back (to the deck)
        self.mapCanvas.blur();
        ev.stopPropagation();
        return;
      }
      var d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowDown: [0, -1], ArrowUp: [0, 1] }[ev.key];
      if (!d) return;
      ev.preventDefault();
      ev.stopPropagation();  // in the deck, arrow keys on the map move z, not the slides
      var f = ev.shiftKey ? 10 : 1;
      self.moveTo(self.z[0] + d[0] * f * self.sliders[0].step, self.z[1] + d[1] * f * self.sliders[1].step);
    });
    this.sliders.forEach(function (s) {
      s.addEventListener("keydown", function (ev) { ev.stopPropagation(); });
    });

    this.z = this.w.start.slice();
    this.mapImage.onload = function () { self.drawMap(); };
    this.mapImage.src = map.png;
    this.sprite.onload = function () { self.showNearest(self.z); };
    this.sprite.src = items.sprite;
    this.drawStrip();
    this.moveTo(this.z[0], this.z[1]);
  }

  Explorer.count = 0;

  /** The wardrobe W's codes and verdict set become this explorer's (no drawing). */
  Explorer.prototype.useWardrobe = function (W) {
    this.w = W;
    this.codes = W.codes;  // the carried test items' codes in this wardrobe
    this.trainCodes = W.trainCodes;  // the verdict's set: the notebook explorer's training codes
    this.spacing = W.spacing;  // per training item, for the verdict
    this.nearIndex = -1;
  };

  /** Switch to wardrobe k (0: the plain autoencoder), loading its data first if it is not on the page yet
   *  ("loading the VAE's wardrobe..." meanwhile). Returns a Promise of the wardrobe shown then: wardrobe k, or, if
   *  its file could not be loaded (the page says why) or the reader chose another meanwhile, that one. */
  Explorer.prototype.setWardrobe = function (k) {
    var self = this;
    this.wanted = k;
    if (isLoaded(k)) {
      this.say("", false);
      this.showWardrobe(wardrobe(k));
      return Promise.resolve(this.w);
    }
    if (this.switches) this.switches[k].checked = true;
    this.say("loading the " + wardrobeList[k].label + "'s wardrobe\u2026", false);
    return loadWardrobe(k).then(function (W) {
      if (self.wanted === k) {
        self.say("", false);
        self.showWardrobe(W);
      }
      return self.w;
    }, function (e) {
      if (self.wanted === k) {
        self.wanted = self.w.index;
        if (self.switches) self.switches[self.w.index].checked = true;
        self.say("\u26a0 " + e.message, true);
      }
      return self.w;
    });
  };

  /** A line about loading a wardrobe (under the switch). */
  Explorer.prototype.say = function (text, warn) {
    var s = this.wardrobeStatus || this.status;
    s.textContent = text;
    s.classList.toggle("ae-warn", !!warn);
  };

  /** Show wardrobe W (loaded): its map, decoder, encoder, codes, verdict set and test errors; z goes to its start
   *  point, the strip and every listener (e.g. the hung item) are redone. */
  Explorer.prototype.showWardrobe = function (W) {
    var self = this, k = W.index, map = W.map;
    this.useWardrobe(W);
    if (this.switches) this.switches[k].checked = true;
    this.mapCanvas.width = map.width;
    this.mapCanvas.height = map.height;
    this.mapCanvas.setAttribute("aria-label", "latent map of the " + W.label +
                                ": drag or use the arrow keys to move z");
    this.sliders.forEach(function (s, i) {
      s.min = map.extent[2 * i];
      s.max = map.extent[2 * i + 1];
      s.step = (map.extent[2 * i + 1] - map.extent[2 * i]) / 500;
    });
    this.mapImage = new Image();
    this.mapImage.onload = function () { self.drawMap(); };
    this.mapImage.src = map.png;
    this.drawStrip();
    this.moveTo(W.start[0], W.start[1]);
    this.wardrobeListeners.forEach(function (f) { f(self); });
  };

  /** Move to (z1, z2): clamp to the map (saying so), decode, draw, find the nearest item. */
  Explorer.prototype.moveTo = function (z1, z2) {
    var e = this.w.map.extent, notes = [], z = [z1, z2];
    for (var k = 0; k < 2; k++) {
      var lo = e[2 * k], hi = e[2 * k + 1], name = "z" + (k + 1);
      if (!isFinite(z[k])) {
        notes.push(name + " is not a finite number, so " + name + " stays at " + fmt(this.z[k]));
        z[k] = this.z[k];
      } else if (z[k] < lo || z[k] > hi) {
        var c = Math.min(Math.max(z[k], lo), hi);
        notes.push(name + "=" + z[k].toPrecision(4) + " is off the map [" + fmt(lo) + ", " + fmt(hi) +
                   "]; clamped to " + fmt(c));
        z[k] = c;
      }
    }
    this.z = z;
    for (k = 0; k < 2; k++) {
      this.sliders[k].value = z[k];
      this.sliders[k].readout.textContent = fmt(z[k]);
    }
    var out = decodeInto(z, this.w);
    paint(this.itemData, out, 0);
    this.itemCtx.putImageData(this.itemData, 0, 0);
    this.drawMap();
    this.showNearest(z);
    var where = "z = (" + fmt(z[0]) + ", " + fmt(z[1]) + "): " + this.nearest.words;  // as the notebook's
    this.status.textContent = notes.length ? "\u26a0 " + notes.join("; ") + ". Now at " + where + "." : where;
    this.status.classList.toggle("ae-warn", notes.length > 0);
  };

  /** Index of the code (pairs z1, z2 in ``c``) nearest to z, and its squared distance (exact, first of ties). */
  function nearestCode(c, z) {
    var best = Infinity, bi = 0, z1 = z[0], z2 = z[1];
    for (var i = 0, n = c.length; i < n; i += 2) {
      var dx = c[i] - z1, dy = c[i + 1] - z2, d2 = dx * dx + dy * dy;
      if (d2 < best) { best = d2; bi = i; }
    }
    return [bi / 2, best];
  }

  /** What the panel says at z: the verdict from the nearest training code (``trainIndex``, ``distance``, ...,
   *  as LatentExplorer.find_nearest), and the nearest carried test item (``index``, ``label``, ``class``), whose
   *  picture is shown. */
  Explorer.prototype.nearestItem = function (z) {
    var t = nearestCode(this.trainCodes, z), c = nearestCode(this.codes, z), bi = c[0];
    var dist = Math.sqrt(t[1]), spacing = this.spacing[t[0]], v = verdictOf(dist, spacing);
    return { index: bi, label: this.labels[bi], "class": DATA.classes[this.labels[bi]],
             carriedDistance: Math.sqrt(c[1]), trainIndex: t[0], distance: dist, spacing: spacing,
             ratio: dist / spacing, grade: v.grade, words: v.words,
             far: v.grade === DATA.verdict.grades.length - 1, verdict: v.text };
  };

  Explorer.prototype.showNearest = function (z) {
    var nn = this.nearest = this.nearestItem(z);
    if (nn.index !== this.nearIndex) {
      this.nearIndex = nn.index;
      var cols = DATA.items.cols;
      if (this.sprite.complete && this.sprite.naturalWidth) {
        this.nearCtx.drawImage(this.sprite, 28 * (nn.index % cols), 28 * Math.floor(nn.index / cols), 28, 28,
                               0, 0, 28, 28);
      } else {
        this.nearIndex = -1;  // drawn when the sheet has loaded
      }
    }
    this.nearText[0].textContent = nn["class"] + " (test item #" + DATA.items.index[nn.index] + ")";
    this.nearCanvas.setAttribute("aria-label", "the nearest item this page carries: " + nn["class"]);
    this.nearSwatch.style.background = (DATA.class_colors || [])[nn.label] || "transparent";
    this.verdict.textContent = nn.verdict;
    this.verdict.className = ["ae-among-items", "ae-near-items", "ae-far-away"][Math.min(nn.grade, 2)];
  };

  Explorer.prototype.drawMap = function () {
    var ctx = this.mapCtx, map = this.w.map, self = this;
    if (this.mapImage.complete && this.mapImage.naturalWidth) ctx.drawImage(this.mapImage, 0, 0);
    else ctx.clearRect(0, 0, map.width, map.height);
    var bx = map.box;
    if (this.path) {  // the interpolation path and its steps, in the notebook's colour (no class's)
      ctx.strokeStyle = (DATA.marks || {}).path || "#69004b";
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 3]);
      ctx.beginPath();
      ctx.moveTo(this.path[0][0], this.path[0][1]);
      ctx.lineTo(this.path[this.path.length - 1][0], this.path[this.path.length - 1][1]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1;
      ctx.fillStyle = "#fff";
      for (var s = 0; s < this.path.length; s++) {
        ctx.fillRect(this.path[s][0] - 2.5, this.path[s][1] - 2.5, 5, 5);
        ctx.strokeRect(this.path[s][0] - 2.5, this.path[s][1] - 2.5, 5, 5);
      }
    }
    var p = zToPixel(this.z, map);
    ctx.strokeStyle = "#6e6e6e";  // dotted cross-hair, then the ring
    ctx.lineWidth = 1;
    ctx.setLineDash([1, 3]);
    ctx.beginPath();
    ctx.moveTo(p[0], bx[3]); ctx.lineTo(p[0], bx[2]);
    ctx.moveTo(bx[0], p[1]); ctx.lineTo(bx[1], p[1]);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.arc(p[0], p[1], 6.5, 0, 2 * Math.PI);
    ctx.fillStyle = "rgba(255,255,255,0.7)";
    ctx.fill();
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#000";
    ctx.stroke();
    ctx.fillStyle = "#000";
    ctx.fillRect(p[0] - 1.5, p[1] - 1.5, 3, 3);
    this.overlays.forEach(function (f) { f(ctx, self); });
  };

  /** Index (into the exported items) of the k-th item of class c. */
  Explorer.prototype.itemOf = function (c, k) {
    var seen = -1, last = -1;
    for (var i = 0; i < this.labels.length; i++) {
      if (this.labels[i] === c) { last = i; if (++seen === k) return i; }
    }
    return last;
  };

  Explorer.prototype.drawStrip = function () {
    var self = this, steps = DATA.steps, ends = this.picks.map(function (p) {
      return self.itemOf(+p.cls.value, Math.max(0, Math.floor(+p.k.value || 0)));
    });
    if (ends[0] < 0 || ends[1] < 0) {
      this.stripInfo.textContent = "no item of that class among the exported items";
      return;
    }
    var a = [this.codes[2 * ends[0]], this.codes[2 * ends[0] + 1]];
    var b = [this.codes[2 * ends[1]], this.codes[2 * ends[1] + 1]];
    var ctx = this.stripCtx, img = ctx.createImageData(28, 28);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, this.strip.width, 28);
    this.path = [];
    for (var s = 0; s < steps; s++) {
      var t = s / (steps - 1), z = [(1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]];
      paint(img, decodeInto(z, this.w), 0);
      ctx.putImageData(img, 30 * s, 0);
      this.path.push(zToPixel(z, this.w.map));
    }
    this.stripInfo.textContent = "from " + DATA.classes[this.labels[ends[0]]] + " (test item #" +
      DATA.items.index[ends[0]] + ") to " + DATA.classes[this.labels[ends[1]]] + " (test item #" +
      DATA.items.index[ends[1]] + ") in " + steps + " steps";
    this.drawMap();
  };

  Explorer.prototype.state = function () {
    return { z: this.z.slice(), nearest: this.nearest, status: this.status.textContent,
             item: Array.from(decodeInto(this.z, this.w)), wardrobe: this.w.key };
  };

  var nearestData = null;
  var api = window.aeExplorer = { decode: decode, encode: encode, instances: [], ready: false,
    wardrobe: wardrobe, wardrobes: wardrobeList.length, loadWardrobe: loadWardrobe, loaded: isLoaded,
    decodeInto: decodeInto, encodeInto: encodeInto,
    nearestCode: function (c, z) { return nearestCode(c, z); }, paint: paint, el: el, floats: floats,
    verdict: function (distance, spacing) { return verdictOf(distance, spacing); },
    nearest: function (z1, z2) {  // what the nearest-item panel says at z, without a page (for tests)
      var W = wardrobe(0), it = nearestData = nearestData || { codes: W.codes, labels: bytes(DATA.items.labels),
                                                               trainCodes: W.trainCodes, spacing: W.spacing };
      return Explorer.prototype.nearestItem.call(it, [z1, z2]);
    },
    pixelToZ: function (px, py, k) { return pixelToZ(px, py, wardrobe(k).map); },
    zToPixel: function (z1, z2, k) { return zToPixel([z1, z2], wardrobe(k).map); } };

  function mountAll() {
    var roots = document.querySelectorAll(".ae-explorer");
    if (!DATA) {
      for (var i = 0; i < roots.length; i++) {
        roots[i].textContent = "The explorer's data (explorer/explorer-data.js) is missing: rebuild with make slides.";
      }
      return;
    }
    for (var j = 0; j < roots.length; j++) api.instances.push(new Explorer(roots[j]));
    api.ready = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
