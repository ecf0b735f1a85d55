// Hang your own item: a drawing or a photo made into a Fashion-MNIST-like item, in the browser.
// The same steps as ae_helpers/hang.py (read its docstring for the why), in the same order with the same
// arithmetic (float64 throughout, float32 results); tests/test_hang.py checks that both agree to 1e-6.
// Plain script, no modules, no dependencies. Three ways to use it:
//   <script> (inline or src)  -> window.AEHang
//   node: require(".../hang.js") -> AEHang (module.exports)
//   prepended to an anywidget ESM module -> the module-level variable AEHang
// API: AEHang.toItem(rgba, width, height) -> {item: Float32Array(784), steps: {grey, polarity, cleaned,
//        cropped: {data, width, height}, item}}; throws Error("draw something first ...") for an empty image;
//      AEHang.percentile(error, sortedTestErrors) -> 0..100; AEHang.unusualSentence(pct) -> one sentence.
var AEHang = (function () {
  "use strict";

  var SIZE = 28;              // the item's side, as Fashion-MNIST's
  var LONGEST_SIDE = 28;      // the median longest side of the test items' bounding boxes
  var CROP_THRESHOLD = 0.2;   // a pixel brighter than this (after cleaning) belongs to the bounding box
  var MIN_CONTRAST = 0.05;    // less than this above the background: an empty image
  var BORDER_DIVISOR = 50;    // the border is min(H, W) // 50 pixels wide, at least 1
  var EMPTY = "draw something first: the image has nothing brighter or darker than its background";

  function fail(message) { throw new Error(message); }

  // Step 1: luminance (BT.601) in [0, 1], composited over white paper.
  function grey(rgba, width, height) {
    var n = width * height, out = new Float64Array(n), i, r, g, b, a, lum, v;
    for (i = 0; i < n; i++) {
      r = rgba[4 * i]; g = rgba[4 * i + 1]; b = rgba[4 * i + 2]; a = rgba[4 * i + 3];
      if (!(r >= 0 && r <= 255 && g >= 0 && g <= 255 && b >= 0 && b <= 255 && a >= 0 && a <= 255)) {
        fail("pixel values must lie in [0, 255] (RGBA bytes, as canvas getImageData gives), got one at " + i);
      }
      lum = 0.299 * r + 0.587 * g + 0.114 * b;
      v = (lum * a + 255 * (255 - a)) / 65025;
      out[i] = v < 1 ? v : 1;
    }
    return out;
  }

  function borderWidth(width, height) {
    return Math.max(1, Math.floor(Math.min(width, height) / BORDER_DIVISOR));
  }

  function inBorder(x, y, width, height, b) {
    return y < b || y >= height - b || x < b || x >= width - b;
  }

  // Step 2: inverted when the border is brighter on average than the middle.
  function polarity(g, width, height) {
    var b = borderWidth(width, height), sumB = 0, nB = 0, sumM = 0, nM = 0, x, y, v, i, out;
    for (y = 0; y < height; y++) {
      for (x = 0; x < width; x++) {
        v = g[y * width + x];
        if (inBorder(x, y, width, height, b)) { sumB += v; nB++; } else { sumM += v; nM++; }
      }
    }
    if (!(sumB / nB > sumM / nM)) return g;
    out = new Float64Array(g.length);
    for (i = 0; i < g.length; i++) out[i] = 1 - g[i];
    return out;
  }

  function median(values) {
    var s = Float64Array.from(values).sort(), n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  // Step 3: the border's median subtracted, clipped at 0, stretched to a peak of 1 (zeros if no contrast).
  function cleaned(p, width, height) {
    var b = borderWidth(width, height), border = [], x, y, i, bg, peak = 0, out = new Float64Array(p.length), v;
    for (y = 0; y < height; y++) {
      for (x = 0; x < width; x++) if (inBorder(x, y, width, height, b)) border.push(p[y * width + x]);
    }
    bg = median(border);
    for (i = 0; i < p.length; i++) {
      v = p[i] - bg;
      out[i] = v > 0 ? v : 0;
      if (out[i] > peak) peak = out[i];
    }
    if (peak < MIN_CONTRAST) return new Float64Array(p.length);
    for (i = 0; i < p.length; i++) out[i] = out[i] / peak;
    return out;
  }

  // Step 4: the bounding box of the pixels above CROP_THRESHOLD.
  function cropped(c, width, height) {
    var top = height, bottom = -1, left = width, right = -1, x, y, h, w, data;
    for (y = 0; y < height; y++) {
      for (x = 0; x < width; x++) {
        if (c[y * width + x] > CROP_THRESHOLD) {
          if (y < top) top = y;
          if (y > bottom) bottom = y;
          if (x < left) left = x;
          if (x > right) right = x;
        }
      }
    }
    if (bottom < 0) fail(EMPTY);
    h = bottom - top + 1; w = right - left + 1; data = new Float64Array(h * w);
    for (y = 0; y < h; y++) {
      for (x = 0; x < w; x++) data[y * w + x] = c[(top + y) * width + left + x];
    }
    return {data: data, width: w, height: h};
  }

  // The crop's size once its longest side is LONGEST_SIDE, aspect kept (rounded half up, at least 1).
  function resizedShape(h, w) {
    var longest = Math.max(h, w);
    return [Math.max(1, Math.floor((2 * h * LONGEST_SIDE + longest) / (2 * longest))),
            Math.max(1, Math.floor((2 * w * LONGEST_SIDE + longest) / (2 * longest)))];
  }

  // Steps 5 and 6: area averaging with torch's adaptive_avg_pool2d bins (start = floor(i * in / out),
  // end = ceil((i + 1) * in / out), summed row by row, divided by the bin's height then width), centred
  // (an odd spare pixel above / to the left, as in most of the data's items).
  function item(crop) {
    var shape = resizedShape(crop.height, crop.width), oh = shape[0], ow = shape[1];
    var top = Math.floor((SIZE - oh + 1) / 2), left = Math.floor((SIZE - ow + 1) / 2);
    var out = new Float64Array(SIZE * SIZE);
    var i, j, y0, y1, x0, x1, y, x, sum;
    for (i = 0; i < oh; i++) {
      y0 = Math.floor(i * crop.height / oh);
      y1 = Math.floor(((i + 1) * crop.height + oh - 1) / oh);
      for (j = 0; j < ow; j++) {
        x0 = Math.floor(j * crop.width / ow);
        x1 = Math.floor(((j + 1) * crop.width + ow - 1) / ow);
        sum = 0;
        for (y = y0; y < y1; y++) {
          for (x = x0; x < x1; x++) sum += crop.data[y * crop.width + x];
        }
        out[(top + i) * SIZE + left + j] = sum / (y1 - y0) / (x1 - x0);
      }
    }
    return Float32Array.from(out);
  }

  function toItem(rgba, width, height) {
    if (!(width === Math.floor(width) && height === Math.floor(height) && width >= 3 && height >= 3)) {
      fail("width and height must be whole numbers of pixels, at least 3 each, got " + width + " x " + height);
    }
    if (!rgba || rgba.length !== width * height * 4) {
      fail("expected width * height * 4 RGBA bytes (canvas getImageData(...).data), got " +
           (rgba ? rgba.length : rgba) + " for " + width + " x " + height);
    }
    var g = grey(rgba, width, height), p = polarity(g, width, height), c = cleaned(p, width, height);
    var crop = cropped(c, width, height), result = item(crop);
    return {
      item: result,
      steps: {
        grey: Float32Array.from(g), polarity: Float32Array.from(p), cleaned: Float32Array.from(c),
        cropped: {data: Float32Array.from(crop.data), width: crop.width, height: crop.height}, item: result
      }
    };
  }

  // The percentile (0-100) of a reconstruction error among the test items' errors (sorted ascending):
  // the share of them that Brian copies strictly better, in %.
  function percentile(error, sortedTestErrors) {
    var n = sortedTestErrors ? sortedTestErrors.length : 0, lo = 0, hi = n, mid;
    if (!(n > 0) || !isFinite(error)) fail("percentile needs a finite error and a non-empty set of test errors");
    while (lo < hi) {                      // the number of test errors strictly below error
      mid = (lo + hi) >>> 1;
      if (sortedTestErrors[mid] < error) lo = mid + 1; else hi = mid;
    }
    return lo * 100 / n;
  }

  // One sentence for a student (ae_helpers.hang.unusual_sentence writes the same).
  function unusualSentence(pct) {
    if (!(typeof pct === "number" && pct >= 0 && pct <= 100)) {
      fail("pct must be a percentile between 0 and 100, got " + pct);
    }
    var whole = Math.floor(pct), share = whole === 0 ? "less than 1 %" : whole + " %";
    if (pct === 100) return "Brian's copy is worse than for every real test item: very unusual for this wardrobe.";
    if (pct === 0) {
      return "Brian's copy is at least as good as for every real test item: a typical item for this wardrobe.";
    }
    if (whole >= 95) {
      return "Brian's copy is worse than for " + share + " of real test items: unusual for this wardrobe.";
    }
    if (whole >= 50) {
      return "Brian's copy is worse than for " + share + " of real test items: less typical than most, but not unusual.";
    }
    return "Brian's copy is worse than for only " + share + " of real test items: a typical item for this wardrobe.";
  }

  return {
    toItem: toItem, percentile: percentile, unusualSentence: unusualSentence,
    constants: {SIZE: SIZE, LONGEST_SIDE: LONGEST_SIDE, CROP_THRESHOLD: CROP_THRESHOLD, MIN_CONTRAST: MIN_CONTRAST,
                BORDER_DIVISOR: BORDER_DIVISOR, EMPTY: EMPTY}
  };
})();

if (typeof window !== "undefined") window.AEHang = AEHang;
if (typeof module !== "undefined" && module.exports) module.exports = AEHang;
