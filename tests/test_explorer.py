"""LatentExplorer without a browser: setting a slider (or the pad's pixels, the upload, the switch) runs the observers
synchronously."""

import datetime
import io
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from ae_helpers import hang, latent
from ae_helpers.data import fashion_mnist
from ae_helpers.explorer import LatentExplorer, hanging
from ae_helpers.explorer.pad import SIZE, pad_image
from ae_helpers.explorer.slider import NamedIntSlider, NamedSlider
from ae_helpers.explorer.view import MARK as _MARK
from ae_helpers.measures import per_image_mse
from ae_helpers.models import Autoencoder
from ae_helpers.training import train


@pytest.fixture(scope="module")
def tiny(real_data):
    """A small 2D autoencoder trained for two quick epochs on 400 real images."""
    x_train, y_train, x_test, y_test = real_data
    torch.manual_seed(0)
    model = Autoencoder(2, hidden=(64, 32))
    train(model, x_train[:400], epochs=2, batch_size=64, progress=False)
    return model, (x_train[:400], y_train[:400]), (x_test[:150], y_test[:150])


@pytest.fixture(scope="module")
def explorer(tiny):
    """One explorer for the module: every test first moves it where it needs it."""
    model, train_xy, test_xy = tiny
    return LatentExplorer(model, train_xy, test_xy, steps=9)


def indices(png: bytes) -> np.ndarray:
    """A palette PNG from the widget as its array of palette indices."""
    img = Image.open(io.BytesIO(png))
    assert img.mode == "P"
    return np.asarray(img)


def test_slider_moves_image_marker_and_neighbour(explorer, tiny):
    ex = explorer
    ex.set_z(ex.z1.min, ex.z2.min)
    before = (ex.view.image.value, ex.view.map_image.value, ex.marker_xy, ex.nearest["index"],
              ex.view.neighbour_info.value)
    ex.z1.value = ex.z1.max
    ex.z2.value = ex.z2.max
    assert ex.view.image.value != before[0]
    assert ex.view.map_image.value != before[1]
    (cx, cy), (ox, oy) = ex.marker_xy, before[2]
    assert cx > ox and cy < oy  # right and up on the picture
    assert ex.view.neighbour_info.value != before[4]
    # the marker is drawn where marker_xy says, and no longer at the old place
    marker = _MARK["ring"]  # a palette slot only the marker uses
    now, old = indices(ex.view.map_image.value), indices(before[1])
    assert now[cy, cx] == old[oy, ox] == marker
    assert now[oy, ox] != marker and old[cy, cx] != marker
    # the neighbour is the real argmin over the training codes
    model, (x_train, y_train), _ = tiny
    with torch.no_grad():
        d = torch.cdist(torch.tensor([ex.z]), model.encode(x_train))[0]
    assert ex.nearest["index"] == int(d.argmin()) != before[3]
    assert ex.nearest["distance"] == pytest.approx(float(d.min()), rel=1e-4)
    assert ex.nearest["class"] in ex.view.neighbour_info.value
    assert ex.view.status.value.startswith("z = (")


def test_decoded_image_is_the_decoder_output(explorer, tiny):
    explorer.set_z(0.3, -0.2)
    with torch.no_grad():
        expected = tiny[0].decode(torch.tensor([explorer.z]))[0, 0]
    img = Image.open(io.BytesIO(explorer.view.image.value))
    assert img.size == (28 * explorer.scale, 28 * explorer.scale)
    ink = np.asarray(img)[:: explorer.scale, :: explorer.scale]  # palette index = ink level
    assert np.abs(ink.astype(int) - (expected.numpy() * 255).round()).max() <= 1


def test_set_z_clamps_off_map_values(explorer):
    z = explorer.set_z(1e9, -1e9)
    assert z == (explorer.z1.max, explorer.z2.min)
    assert "clamped" in explorer.view.status.value and "off the map" in explorer.view.status.value
    explorer.set_z(0.1, 0.1)
    assert "⚠" not in explorer.view.status.value


def test_the_clamp_note_names_the_coordinate_the_value_and_the_edge(explorer):
    """set_z clamps itself (not only the slider) and says so: which coordinate, what was asked, where it went."""
    z = explorer.set_z(explorer.z1.min - 5.0, 0.1)
    assert z == pytest.approx((explorer.z1.min, 0.1), abs=1e-6)
    note = explorer.view.status.value
    assert f"z1={explorer.z1.min - 5.0:.4g} is off the map [{explorer.z1.min:.2f}, {explorer.z1.max:.2f}]" in note
    assert f"clamped to {explorer.z1.min:.2f}" in note and "z2=" not in note.split("Now at")[0]
    assert f"Now at z = ({explorer.z1.min:.2f}, 0.10)" in note
    assert explorer.nearest == explorer.find_nearest(*explorer.z)  # the clamped point is the one shown


def test_an_error_in_an_update_shows_in_the_status_line_and_does_not_freeze(explorer, monkeypatch):
    explorer.set_z(0.1, 0.1)

    def broken():
        raise RuntimeError("the decoder is on strike")

    monkeypatch.setattr(explorer, "decode_current", broken)
    explorer.z1.value = 0.2                      # an observer runs and fails
    assert "RuntimeError: the decoder is on strike" in explorer.view.status.value
    explorer.set_z(0.3, 0.3)                     # set_z too: reported, not raised
    assert "could not update" in explorer.view.status.value and not explorer._busy
    monkeypatch.undo()
    image = explorer.view.image.value
    explorer.z1.value = 0.4                      # the widget still reacts afterwards
    assert explorer.view.status.value.startswith("z = (0.40, 0.30)") and explorer.view.image.value != image


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", None])
def test_set_z_rejects_non_numbers_without_crashing(explorer, bad):
    explorer.set_z(0.25, 0.5)
    image = explorer.view.image.value
    assert explorer.set_z(bad, 0.5) == pytest.approx((0.25, 0.5), abs=1e-6)
    assert "not a finite number" in explorer.view.status.value
    assert explorer.view.image.value == image


def test_nan_slider_value_is_reverted_with_a_message(explorer):
    explorer.set_z(0.25, 0.5)
    explorer.z2.value = float("nan")
    assert explorer.z2.value == 0.5 and math.isfinite(explorer.z2.value)
    assert "not a finite number" in explorer.view.status.value


def test_on_a_real_item_near_them_far_from_all(explorer):
    explorer.set_z(*explorer.train_codes[7].tolist())
    assert not explorer.nearest["far"] and "among real items" in explorer.view.neighbour_info.value
    i = explorer.nearest["index"]
    assert explorer.nearest["grade"] == 0 and explorer.nearest["distance"] <= 0.5 * float(explorer.spacing[i])
    assert "latent distance to the nearest real item" in explorer.view.neighbour_info.value
    assert explorer.view.status.value.endswith(latent.VERDICT_GRADES[0][1])
    explorer.set_z(explorer.z1.max, explorer.z2.max)
    assert explorer.nearest["far"] and "far from real items" in explorer.view.neighbour_info.value
    i = explorer.nearest["index"]
    far_from = latent.VERDICT_GRADES[-2][0] * explorer.spacing[i]
    assert explorer.nearest["distance"] > explorer.threshold[i] == pytest.approx(far_from)
    assert torch.equal(explorer.spacing, latent.local_spacing(explorer.train_codes))
    assert explorer.nearest["verdict"] == latent.verdict(explorer.nearest["distance"], explorer.spacing[i])


def test_go_to_a_class_centre(explorer):
    explorer.view.go_to.value = 1  # Trouser
    assert explorer.z == pytest.approx(explorer.class_centre("Trouser"), abs=1e-6)
    assert explorer.view.go_to.value == -1
    assert explorer.class_centre(1) == explorer.class_centre("Trouser")
    with pytest.raises(ValueError, match="CLASS_NAMES"):
        explorer.class_centre("Trousers")


def test_non_2d_model_is_refused_with_an_explanation(tiny):
    _, train_xy, _ = tiny
    with pytest.raises(ValueError, match=r"latent_dim=2.*latent_dim=8"):
        LatentExplorer(Autoencoder(8), train_xy)


def test_bad_data_is_refused(tiny):
    with pytest.raises(TypeError, match="dataset or an \\(images, labels\\) pair"):
        LatentExplorer(tiny[0], torch.rand(10, 1, 28, 28))


@pytest.mark.parametrize("steps", [8, 10])
def test_interpolation_ends_are_the_reconstructions(tiny, steps):
    model, train_xy, test_xy = tiny
    ex = LatentExplorer(model, train_xy, test_xy, steps=steps)
    i, j = ex.item_index(0), ex.item_index(7)
    path = ex.interpolate(i, j)
    assert path.shape == (steps, 1, 28, 28)
    ends = ex.reconstruct([i, j])
    with torch.no_grad():
        assert torch.allclose(ends, model(test_xy[0][[i, j]]))
    assert torch.allclose(path[0], ends[0], atol=1e-6) and torch.allclose(path[-1], ends[1], atol=1e-6)
    assert not torch.allclose(path[steps // 2], ends[0], atol=1e-3)
    # the widget shows exactly those steps, side by side
    strip = np.asarray(Image.open(io.BytesIO(ex.view.strip_image.value)))[::2, ::2]
    assert strip.shape == (28, 30 * steps - 2)
    for s in (0, steps - 1):
        assert np.abs(strip[:, 30 * s:30 * s + 28] - (path[s, 0].numpy() * 255).round()).max() <= 1
    before = ex.view.strip_image.value
    ex.view.pick[1].value = 1  # "to" a Trouser
    assert ex.view.strip_image.value != before and "Trouser" in ex.view.strip_info.value


def test_accepts_torchvision_datasets(tiny):
    test = torch.utils.data.Subset(fashion_mnist("test"), range(120))
    ex = LatentExplorer(tiny[0], test)
    assert len(ex.train_codes) == len(ex.test_codes) == 120


def test_static_fallback_and_repr(explorer):
    fig = explorer.show_static(n=5)
    assert len(fig.axes) == 2 and fig.axes[1].get_legend() is not None
    plt.close(fig)
    assert "LatentExplorer at z" in repr(explorer)


# ----- hang your own item: the pad, the upload, the VAE switch ---------------------------------------------------


def trouser_drawing(size=SIZE) -> np.ndarray:
    """Two white legs and a waistband on the black pad, grey bytes (size, size)."""
    d = np.zeros((size, size), np.uint8)
    s = size / 280
    for r0, r1, c0, c1 in ((40, 250, 90, 130), (40, 250, 150, 190), (40, 80, 90, 190)):
        d[round(r0 * s):round(r1 * s), round(c0 * s):round(c1 * s)] = 255
    return d


class TinyVAE(torch.nn.Module):
    """What the explorer needs of a VAE: ``encode(x) -> (mu, logvar)`` and a ``decoder``; this one hangs items
    where the tiny autoencoder does, stretched and shifted, so its map and codes differ."""

    latent_dim = 2

    def __init__(self, ae):
        super().__init__()
        self.body, self.decoder = ae.encoder, ae.decoder

    def encode(self, x):
        mu = self.body(x) * torch.tensor([2.0, 0.5]) + torch.tensor([1.0, -3.0])
        return mu, torch.zeros_like(mu)


@pytest.fixture(scope="module")
def hanger(tiny):
    model, train_xy, test_xy = tiny
    return LatentExplorer(model, train_xy, test_xy, steps=9, pad=True, compare_with={"VAE": TinyVAE(model)})


def _hang_checks(ex, item, model_encode, decoder):
    """The explorer hung ``item`` where ``model_encode`` puts it, and shows it."""
    with torch.no_grad():
        z = model_encode(item[None, None])
        z = (z[0] if isinstance(z, tuple) else z)[0]
    assert ex.hung["z"] == pytest.approx(z.tolist(), abs=1e-6)
    x, y = ex.geometry.z_to_pixel(*z.tolist())
    assert ex.hang_xy == (round(x), round(y))
    assert indices(ex.view.map_image.value)[ex.hang_xy[1], ex.hang_xy[0]] == _MARK["hang"]
    with torch.no_grad():
        copy = decoder(z[None])[0, 0]
    shown = np.asarray(Image.open(io.BytesIO(ex.panel.copy.value)))[::4, ::4]
    assert np.abs(shown.astype(int) - (copy.numpy() * 255).round()).max() <= 1, "Brian's copy is decoder(z)"
    d = torch.cdist(z[None], ex.train_codes)[0]
    assert ex.hung["nearest"] == d.argsort()[:hanging.NEAREST].tolist(), "the nearest real items, nearest first"
    errors = per_image_mse(decoder(ex.test_codes), ex.x_test)
    error = float(per_image_mse(copy[None, None], item[None, None])[0])
    assert ex.hung["error"] == pytest.approx(error, rel=1e-5)
    assert ex.hung["percentile"] == pytest.approx(hang.unusualness(error, errors))
    assert hang.unusual_sentence(ex.hung["percentile"]) in ex.panel.verdict.value


def test_a_stroke_on_the_pad_hangs_the_drawing_at_its_code(hanger, tiny):
    ex, model = hanger, tiny[0]
    ex.switch_to("autoencoder")
    drawing = trouser_drawing()
    ex.panel.pad.pixels = drawing.tobytes()          # what the page sends when a stroke ends
    item = hang.to_item(drawing)
    _hang_checks(ex, item, model.encode, model.decoder)
    assert all(w.value for w in ex.panel.steps) and ex.panel.item.value and ex.panel.nearest[0].value
    assert ex.hung["classes"][0] in ex.panel.nearest_info.value
    assert "⚠" not in ex.panel.verdict.value


def test_the_ring_and_the_diamond_are_both_on_the_map(hanger):
    ex = hanger
    ex.panel.pad.pixels = trouser_drawing().tobytes()
    ex.set_z(ex.z1.min, ex.z2.min)
    m = indices(ex.view.map_image.value)
    assert m[ex.marker_xy[1], ex.marker_xy[0]] == _MARK["ring"] and m[ex.hang_xy[1], ex.hang_xy[0]] == _MARK["hang"]


@pytest.mark.parametrize("pixels, message", [
    (b"\x00" * 10, "the pad sent 10 bytes, expected 280 x 280"),
    (bytes(SIZE * SIZE), "draw something first"),
])
def test_bad_pad_data_gets_a_one_line_message(hanger, pixels, message):
    ex = hanger
    ex.panel.pad.pixels = trouser_drawing().tobytes()
    assert ex.hang_xy is not None
    ex.panel.pad.pixels = pixels
    assert message in ex.panel.verdict.value and "\n" not in ex.panel.verdict.value
    assert ex.hang_xy is None and ex.hung is None
    assert not (indices(ex.view.map_image.value) == _MARK["hang"]).any(), "no diamond for a drawing that failed"


def test_pad_image_refuses_what_is_not_grey_bytes():
    with pytest.raises(ValueError, match="must be bytes"):
        pad_image([0] * (SIZE * SIZE))
    with pytest.raises(ValueError, match=r"sent 78,401 bytes, expected 280 x 280 = 78,400"):
        pad_image(bytes(SIZE * SIZE + 1))
    assert pad_image(trouser_drawing().tobytes()).shape == (SIZE, SIZE)


def test_an_uploaded_photo_is_hung_like_a_drawing(hanger, tiny):
    ex, model = hanger, tiny[0]
    ex.switch_to("autoencoder")
    photo = np.full((120, 90, 3), 235, np.uint8)     # a dark trouser photographed on light paper
    photo[15:110, 20:40] = photo[15:110, 50:70] = photo[15:30, 20:70] = (40, 30, 90)
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="PNG")
    ex.panel.upload.value = ({"name": "trouser.png", "type": "image/png", "size": buf.tell(),
                              "content": memoryview(buf.getvalue()), "last_modified": datetime.datetime(2024, 1, 1)},)
    _hang_checks(ex, hang.to_item(photo), model.encode, model.decoder)
    steps = hang.hang_steps(photo)
    small = np.asarray(Image.open(io.BytesIO(ex.panel.steps[-1].value)))
    assert small.shape == (28, 28) and np.abs(small.astype(int) - (steps["item"] * 255).round()).max() <= 1


def test_a_file_that_is_not_an_image_gets_a_one_line_message(hanger):
    hanger.panel.upload.value = ({"name": "notes.txt", "type": "text/plain", "size": 5, "content": memoryview(b"hello"),
                                  "last_modified": datetime.datetime(2024, 1, 1)},)
    assert "cannot read 'notes.txt' as an image" in hanger.panel.verdict.value
    assert hanger.hang_xy is None


def test_the_vae_switch_changes_the_map_and_hangs_the_item_at_mu(hanger):
    ex = hanger
    ex.switch_to("autoencoder")
    ex.panel.pad.pixels = trouser_drawing().tobytes()
    before = {"map": ex.view.map_image.value, "z": ex.hung["z"], "extent": ex.geometry.extent}
    ex.view.switch.value = "VAE"                       # the ToggleButtons, as a click or a key press sets them
    assert ex.wardrobe.name == "VAE" and ex.model is ex.wardrobes["VAE"].model
    vae = ex.wardrobes["VAE"].model
    _hang_checks(ex, hang.to_item(trouser_drawing()), vae.encode, vae.decoder)
    assert ex.hung["z"] != pytest.approx(before["z"]) and ex.hung["wardrobe"] == "VAE"
    assert ex.view.map_image.value != before["map"] and ex.geometry.extent != before["extent"]
    assert (ex.z1.min, ex.z1.max, ex.z2.min, ex.z2.max) == ex.geometry.extent, "the sliders span the VAE's map"
    with torch.no_grad():
        assert ex.train_codes == pytest.approx(vae.encode(ex.x_train)[0], abs=1e-5)
    ex.switch_to("autoencoder")
    assert ex.hung["z"] == pytest.approx(before["z"]) and ex.view.map_image.value == before["map"]
    with pytest.raises(ValueError, match="no model called 'GAN'"):
        ex.switch_to("GAN")


def test_every_control_is_a_keyboard_widget_and_every_picture_has_a_name(hanger):
    ex = hanger
    p = ex.panel
    assert isinstance(ex.view.switch, widgets.ToggleButtons) and list(ex.view.switch.options) == ["autoencoder", "VAE"]
    assert isinstance(p.brush, NamedIntSlider) and isinstance(p.erase, widgets.ToggleButton)
    sliders = (ex.z1, ex.z2, p.brush)
    assert all(isinstance(s, NamedSlider) and s.label and s.description for s in sliders), "every slider has a name"
    assert isinstance(p.clear, widgets.Button) and isinstance(p.upload, widgets.FileUpload)
    p.brush.value, p.erase.value = 30, True           # the controls reach the pad
    assert (p.pad.brush, p.pad.erase) == (30, True)
    p.erase.value = False
    pictures = [ex.view.image, ex.view.map_image, ex.view.neighbour_image, ex.view.strip_image, p.item, p.copy,
                *p.steps, *p.nearest]
    assert all(w.tooltip for w in pictures), "every picture has a name (its title)"
    assert p.box in ex.children


def test_one_model_has_no_switch_and_no_pad(explorer):
    assert explorer.view.switch is None and explorer.panel is None


def test_named_slider_behaves_like_an_ipywidgets_slider():
    """The explorer's slider keeps ipywidgets' FloatSlider rules: value within [min, max], min <= max, observers
    run synchronously; the int slider keeps whole numbers."""
    s, seen = NamedSlider(min=-2.0, max=3.0, step=0.01, description="z1"), []
    assert s.value == 0.0 and (s.min, s.max, s.step) == (-2.0, 3.0, 0.01)
    s.observe(lambda c: seen.append((c["old"], c["new"])), "value")
    s.value = 1.25
    s.value = 7.0                                  # clamped, as FloatSlider does
    s.value = float("-inf")
    assert seen == [(0.0, 1.25), (1.25, 3.0), (3.0, -2.0)]
    s.value = float("nan")                         # passes, as in FloatSlider: the explorer reverts it
    assert math.isnan(s.value)
    s.value = 0.5
    s.min = 1.0                                    # a min above the value moves the value up
    assert s.value == 1.0
    s.max = 1.5
    with pytest.raises(Exception, match="min 2.0 > max 1.5"):
        s.min = 2.0
    with pytest.raises(Exception, match="max 0.5 < min 1.0"):
        s.max = 0.5
    assert NamedSlider(min=5.0, max=9.0).value == 5.0, "the default value starts within [min, max]"
    b = NamedIntSlider(value=18, min=4, max=40)
    b.value = 41.0
    assert b.value == 40 and isinstance(b.value, int)
    state = s.get_state()
    assert {"value", "min", "max", "step", "description", "label", "decimals"} <= set(state), "synced to the page"
