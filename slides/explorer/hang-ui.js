/* Hang your own item (explorer.html): a drawing pad and "bring a photo", under the in-browser explorer.
 *
 * Needs explorer.js (window.aeExplorer: the wardrobes' encoders and decoders) and hang.js (window.AEHang, the
 * course's one preprocessing, ae_helpers/explorer/hang.js, inlined into the page by slides/build.py). Mounts
 * on every explorer whose root has the attribute data-hang. A drawing (Pointer Events: mouse, pen, touch) or
 * a photo (read from the file, on this machine: nothing is sent anywhere) goes through AEHang.toItem, the
 * 28 x 28 item is encoded by the wardrobe shown (its code; a VAE's mu) and decoded (Brian's copy), a diamond
 * marks where it hangs on the map, and the panel shows the item, the copy, the nearest of the items the page
 * carries, and how unusual the item is: its reconstruction error (MSE) as a percentile of the test items'.
 * A switch of wardrobe hangs the same item again. Test hook: explorer.hang (update(), hangImage(), state()).
 */
(function () {
  "use strict";
  // The pad shows 280 x 280 CSS pixels and holds 140 x 140: five times the item's 28 x 28, and a quarter of the
  // pixels for AEHang.toItem to go through on every update while drawing.
  var api = window.aeExplorer, H = window.AEHang, PAD = 140, PAD_CSS = 280, NEAR = 5, THROTTLE_MS = 60;
  if (!api) return;
  var el = api.el;

  function fmt(v, n) { return v.toFixed(n); }

  /** Values in [0, 1] (w x h) -> a canvas, drawn as the data stores them: bright = ink = 1. */
  function showValues(canvas, values, w, h) {
    canvas.width = w;
    canvas.height = h;
    var ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h), d = img.data;
    for (var p = 0; p < w * h; p++) {
      var v = values[p], g = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
      d[4 * p] = d[4 * p + 1] = d[4 * p + 2] = g;
      d[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function Hang(ex) {
    var self = this;
    this.ex = ex;
    this.z = null;
    ex.root.classList.add("ae-with-hang");
    var box = el("section", { "class": "ae-hang", "aria-labelledby": "ae-hang-title" }, ex.root);
    el("h2", { "class": "ae-title", id: "ae-hang-title", text: "Hang your own item" }, box);
    el("p", { "class": "ae-help", text: "Draw a piece of clothing on the black pad (white ink, like the data), " +
      "or bring a photo. The encoder hangs it in the wardrobe (the yellow diamond on the map), Brian sews his copy, and " +
      "the page says how unusual your item is for this wardrobe. Everything happens in this browser: nothing " +
      "is uploaded." }, box);
    var row = el("div", { "class": "ae-hang-row" }, box);

    var padBox = el("div", { "class": "ae-pad-box" }, row);
    this.pad = el("canvas", { "class": "ae-pad", width: PAD, height: PAD, role: "img",
      "aria-label": "drawing pad for mouse, pen or touch (from the keyboard, bring a photo instead)" }, padBox);
    this.padCtx = this.pad.getContext("2d", { willReadFrequently: true });
    var tools = el("div", { "class": "ae-pad-tools" }, padBox);
    var size = el("label", { text: "Brush size " }, tools);
    this.brush = el("input", { type: "range", min: 4, max: 40, step: 1, value: 18, "class": "ae-brush" }, size);
    var erase = el("label", {}, tools);
    this.eraser = el("input", { type: "checkbox", "class": "ae-eraser" }, erase);
    erase.appendChild(document.createTextNode(" Eraser"));
    this.clearButton = el("button", { type: "button", "class": "ae-clear", text: "Clear" }, tools);
    var photo = el("label", { "class": "ae-photo-label", text: "Bring a photo: " }, padBox);
    this.photo = el("input", { type: "file", accept: "image/*", "class": "ae-photo" }, photo);

    var result = this.result = el("div", { "class": "ae-hang-result" }, row);
    var pair = el("div", { "class": "ae-hang-pair" }, result);
    [["yours", "Your item (28 x 28)"], ["copy", "Brian's copy"]].forEach(function (p) {
      var fig = el("figure", {}, pair);
      self[p[0] + "Canvas"] = el("canvas", { "class": "ae-hang-" + p[0], width: 28, height: 28, role: "img",
                                  "aria-label": p[1] }, fig);
      el("figcaption", { text: p[1] }, fig);
    });
    this.where = el("p", { "class": "ae-hang-where" }, result);
    this.unusual = el("p", { "class": "ae-hang-unusual" }, result);
    this.goButton = el("button", { type: "button", "class": "ae-hang-go", text: "Move z to your item" }, result);
    this.goButton.disabled = true;
    el("div", { "class": "ae-caption", text: "The nearest items this page carries (" +
      window.AE_EXPLORER_DATA.items.n.toLocaleString("en-US") + " test items), by latent distance:" }, result);
    var near = el("div", { "class": "ae-hang-near" }, result);
    this.near = [];
    for (var k = 0; k < NEAR; k++) {
      var fig = el("figure", {}, near);
      var c = el("canvas", { "class": "ae-near", width: 28, height: 28, role: "img", "aria-label": "nearest item" },
                 fig);
      this.near.push({ canvas: c, caption: el("figcaption", {}, fig) });
    }
    this.status = el("p", { "class": "ae-status", role: "status" }, result);

    var steps = el("div", { "class": "ae-hang-steps" }, box);
    el("div", { "class": "ae-caption", text: "The steps (bright = ink, as the data stores it):" }, steps);
    var stepRow = el("div", { "class": "ae-hang-step-row" }, steps);
    this.steps = {};
    [["grey", "grey"], ["polarity", "polarity (bright item on dark)"], ["cleaned", "cleaned"],
     ["cropped", "cropped"], ["item", "28 x 28"]].forEach(function (p) {
      var fig = el("figure", {}, stepRow);
      self.steps[p[0]] = el("canvas", { "class": "ae-step ae-step-" + p[0], width: 28, height: 28, role: "img",
                                        "aria-label": "step: " + p[1] }, fig);
      el("figcaption", { text: p[1] }, fig);
    });

    this.clear();
    this.wire();
    ex.overlays.push(function (ctx) { self.drawMarker(ctx); });
    ex.wardrobeListeners.push(function () { if (self.item) self.show(); });
  }

  Hang.prototype.clear = function () {
    this.padCtx.fillStyle = "#000";
    this.padCtx.fillRect(0, 0, PAD, PAD);
    this.item = null;
    this.z = null;
    this.goButton.disabled = true;
    this.result.removeAttribute("data-z1");
    this.result.removeAttribute("data-z2");
    this.where.textContent = "Nothing hung yet: draw on the pad or bring a photo.";
    this.unusual.textContent = "";
    this.ex.drawMap();
  };

  Hang.prototype.wire = function () {
    var self = this, pad = this.pad, drawing = false, last = null, lastUpdate = 0, timer = null;
    function at(ev) {
      var r = pad.getBoundingClientRect();
      return [(ev.clientX - r.left) * PAD / r.width, (ev.clientY - r.top) * PAD / r.height];
    }
    function line(p, q) {
      var ctx = self.padCtx;
      ctx.strokeStyle = self.eraser.checked ? "#000" : "#fff";
      ctx.lineWidth = +self.brush.value * PAD / PAD_CSS;  // the brush's size in CSS pixels
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.beginPath();
      ctx.moveTo(p[0], p[1]);
      ctx.lineTo(q[0], q[1]);
      ctx.stroke();
    }
    function throttled() {  // while drawing: at most one update per THROTTLE_MS
      var wait = THROTTLE_MS - (performance.now() - lastUpdate);
      if (wait <= 0) {
        lastUpdate = performance.now();
        self.update(false);
      } else if (!timer) {
        timer = setTimeout(function () { timer = null; if (drawing) throttled(); }, wait);
      }
    }
    pad.addEventListener("pointerdown", function (ev) {
      drawing = true;
      last = at(ev);
      if (pad.setPointerCapture) pad.setPointerCapture(ev.pointerId);
      ev.preventDefault();
      line(last, last);
      throttled();
    });
    pad.addEventListener("pointermove", function (ev) {
      if (!drawing) return;
      var p = at(ev);
      line(last, p);
      last = p;
      throttled();
    });
    ["pointerup", "pointercancel"].forEach(function (t) {
      pad.addEventListener(t, function () {
        if (!drawing) return;
        drawing = false;
        self.update(true);  // each stroke's end: the full update, with the steps
      });
    });
    this.clearButton.addEventListener("click", function () { self.clear(); self.status.textContent = ""; });
    this.goButton.addEventListener("click", function () { if (self.z) self.ex.moveTo(self.z[0], self.z[1]); });
    this.photo.addEventListener("change", function () {
      var file = self.photo.files && self.photo.files[0];
      if (file) self.readPhoto(file);
    });
  };

  /** The pad's pixels through the preprocessing, then hung (``withSteps``: also draw the steps). */
  Hang.prototype.update = function (withSteps) {
    return this.hangImage(this.padCtx.getImageData(0, 0, PAD, PAD).data, PAD, PAD, withSteps, "drawing");
  };

  /** A photo file: decoded here (createImageBitmap, no colour conversion), reduced to at most 1024 pixels
   *  on its longest side, its RGBA bytes hung like a drawing. */
  Hang.prototype.readPhoto = function (file) {
    var self = this;
    if (!/^image\//.test(file.type)) {
      this.status.textContent = "\u26a0 " + file.name + " is not an image: choose a photo (PNG, JPEG, ...)";
      return Promise.resolve(null);
    }
    return createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" }).then(function (bmp) {
      var f = Math.min(1, 1024 / Math.max(bmp.width, bmp.height));
      var w = Math.max(3, Math.round(bmp.width * f)), h = Math.max(3, Math.round(bmp.height * f));
      var c = document.createElement("canvas");
      c.width = w;
      c.height = h;
      var ctx = c.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(bmp, 0, 0, w, h);
      self.photoPixels = { rgba: ctx.getImageData(0, 0, w, h).data, width: w, height: h };
      return self.hangImage(self.photoPixels.rgba, w, h, true, "photo " + file.name);
    }, function () {
      self.status.textContent = "\u26a0 could not read " + file.name + " as an image: try a PNG or JPEG";
      return null;
    });
  };

  /** RGBA bytes (w x h) -> the item (AEHang.toItem), shown and hung; an empty image says so instead. */
  Hang.prototype.hangImage = function (rgba, w, h, withSteps, source) {
    var r;
    try {
      r = H.toItem(rgba, w, h);
    } catch (e) {
      this.item = null;
      this.status.textContent = "\u26a0 " + e.message;
      return null;
    }
    this.status.textContent = "";
    this.item = r.item;
    this.source = source;
    if (withSteps) {
      var s = r.steps;
      showValues(this.steps.grey, s.grey, w, h);
      showValues(this.steps.polarity, s.polarity, w, h);
      showValues(this.steps.cleaned, s.cleaned, w, h);
      showValues(this.steps.cropped, s.cropped.data, s.cropped.width, s.cropped.height);
      showValues(this.steps.item, s.item, 28, 28);
    }
    this.show();
    return this.state();
  };

  /** The item in the wardrobe shown: its code, Brian's copy, its error's percentile, the nearest items. */
  Hang.prototype.show = function () {
    var ex = this.ex, W = ex.w, item = this.item;
    var z = this.z = Array.from(api.encodeInto(item, W));
    var copy = this.copy = Float32Array.from(api.decodeInto(z, W));
    var sum = 0;
    for (var p = 0; p < 784; p++) { var d = copy[p] - item[p]; sum += d * d; }
    this.error = sum / 784;
    this.pct = H.percentile(this.error, W.errors);
    this.sentence = H.unusualSentence(this.pct);
    this.nearest = nearestK(ex.codes, z, NEAR);

    var img = ex.itemCtx.createImageData(28, 28);
    api.paint(img, item, 0);
    this.yoursCanvas.getContext("2d").putImageData(img, 0, 0);
    api.paint(img, copy, 0);
    this.copyCanvas.getContext("2d").putImageData(img, 0, 0);
    var cols = window.AE_EXPLORER_DATA.items.cols, classes = window.AE_EXPLORER_DATA.classes;
    for (var k = 0; k < this.near.length; k++) {
      var i = this.nearest[k], n = this.near[k], name = classes[ex.labels[i]];
      var ctx = n.canvas.getContext("2d");
      if (ex.sprite.complete && ex.sprite.naturalWidth) {
        ctx.drawImage(ex.sprite, 28 * (i % cols), 28 * Math.floor(i / cols), 28, 28, 0, 0, 28, 28);
      }
      n.caption.textContent = name;
      n.canvas.setAttribute("aria-label", "nearest carried item " + (k + 1) + ": " + name + " (test item #" +
                            window.AE_EXPLORER_DATA.items.index[i] + ")");
      n.canvas.setAttribute("data-index", i);
    }
    var e = W.map.extent, off = z[0] < e[0] || z[0] > e[1] || z[1] < e[2] || z[1] > e[3];
    this.result.setAttribute("data-z1", z[0]);
    this.result.setAttribute("data-z2", z[1]);
    this.result.setAttribute("data-error", this.error);
    this.where.textContent = "Your " + this.source + " hangs at z = (" + fmt(z[0], 3) + ", " + fmt(z[1], 3) +
      ") in the " + W.label + "'s wardrobe" + (off ? " (off the map: the diamond sits at its edge)" : "") +
      ". Brian's copy differs from it by an MSE of " + fmt(this.error, 4) + " per pixel.";
    this.unusual.textContent = this.sentence;
    this.goButton.disabled = false;
    ex.drawMap();
  };

  /** A diamond (yellow, black edge, as in the notebook's explorer) where the item hangs: a shape no dot has,
   *  a colour no class has. */
  Hang.prototype.drawMarker = function (ctx) {
    if (!this.z || !this.item) return;
    var m = this.ex.w.map, bx = m.box, r = 9;
    var p = api.zToPixel(this.z[0], this.z[1], this.ex.w.index);
    var x = Math.min(Math.max(p[0], bx[0]), bx[1]), y = Math.min(Math.max(p[1], bx[3]), bx[2]);
    ctx.beginPath();
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
    ctx.fillStyle = (window.AE_EXPLORER_DATA.marks || {}).hang || "#ffff00";
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#000";
    ctx.stroke();
  };

  Hang.prototype.state = function () {
    return { z: this.z && this.z.slice(), item: this.item && Array.from(this.item),
             copy: this.copy && Array.from(this.copy), error: this.error, percentile: this.pct,
             sentence: this.sentence, nearest: this.nearest && this.nearest.slice(), wardrobe: this.ex.w.key,
             where: this.where.textContent, status: this.status.textContent };
  };

  /** Indices of the k codes (pairs in c) nearest to z, nearest first (exact). */
  function nearestK(c, z, k) {
    var best = [], dist = [];
    for (var i = 0, n = c.length / 2; i < n; i++) {
      var dx = c[2 * i] - z[0], dy = c[2 * i + 1] - z[1], d2 = dx * dx + dy * dy;
      if (best.length < k || d2 < dist[best.length - 1]) {
        var j = Math.min(best.length, k - 1);
        while (j > 0 && dist[j - 1] > d2) { best[j] = best[j - 1]; dist[j] = dist[j - 1]; j--; }
        best[j] = i;
        dist[j] = d2;
      }
    }
    return best;
  }
  api.nearestK = nearestK;

  function mountAll() {
    if (!H) {
      api.instances.forEach(function (ex) {
        if (ex.root.hasAttribute("data-hang")) {
          el("p", { "class": "ae-status ae-warn", text: "The drawing pad needs hang.js: rebuild the page " +
                    "(make explorer)." }, ex.root);
        }
      });
      return;
    }
    api.instances.forEach(function (ex) { if (ex.root.hasAttribute("data-hang")) ex.hang = new Hang(ex); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
