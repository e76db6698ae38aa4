"""Checks the Swift QR Code encoder (Sources/OTP/QRCode.swift) against independent implementations.

The Swift suite QRCodeExportTests writes `<name>.matrix.json` (payload, version, mask, module rows, SVG) for ~50
payloads: edge sizes, one filling each version 1-40 exactly, and otpauth URIs. Here each symbol is
- rendered to a PNG (4-module quiet zone) and decoded with zxing-cpp: the payload bytes must come back;
- compared module for module with segno (an independent encoder) with the same version and mask, and with
  segno's own choice of version and mask (ISO/IEC 18004:2015 §7.8.3 penalty scoring). segno 1.6.6 appends a whole
  zero byte of "padding bits" when the bit stream already ends on a codeword boundary (§7.4.10 adds them only when
  it does not), which shifts the pad codewords of every byte-mode symbol that is not full; the comparison patches
  that one function back to the standard rule;
- re-read from its SVG path, which must give the same modules, and decoded from that rendering as well.
"""
import glob
import json
import os
import re

import png
import pytest
import segno
import segno.consts
import segno.encoder
import zxingcpp

from swift_export import run_swift_export

SCALE = 4


@pytest.fixture(scope="module")
def matrices(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("qr-matrices"))
    run_swift_export("QRCodeExportTests", "QR_MATRIX_DIR", directory)
    items = []
    for path in sorted(glob.glob(os.path.join(directory, "*.matrix.json"))):
        with open(path, encoding="utf-8") as handle:
            item = json.load(handle)
        item["payload"] = bytes.fromhex(item["payload_hex"])
        item["modules"] = [[c == "1" for c in row] for row in item["rows"]]
        items.append(item)
    return items


def with_quiet_zone(modules, border=4):
    size = len(modules)
    light = [False] * (size + 2 * border)
    return [light[:] for _ in range(border)] + [[False] * border + row + [False] * border for row in modules] + [
        light[:] for _ in range(border)]


def write_png(modules, path):
    """Writes `modules` (True = dark) as an 8-bit greyscale PNG, SCALE pixels per module."""
    rows = []
    for row in modules:
        line = []
        for dark in row:
            line.extend([0 if dark else 255] * SCALE)
        rows.extend([line] * SCALE)
    with open(path, "wb") as handle:
        png.Writer(width=len(rows[0]), height=len(rows), greyscale=True, bitdepth=8).write(handle, rows)


def decode_png(path):
    """Reads a greyscale PNG with pypng and decodes it with zxing-cpp; returns the barcodes found."""
    width, height, rows, _ = png.Reader(filename=path).asDirect()
    pixels = bytearray()
    for row in rows:
        pixels.extend(row)
    assert len(pixels) == width * height
    view = memoryview(bytes(pixels)).cast("B", (height, width))
    return zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)


def svg_modules(svg):
    """The dark modules of our SVG (quiet zone included), read back from its single path."""
    view_box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    extent = int(view_box.group(1))
    assert int(view_box.group(2)) == extent
    paths = re.findall(r'<path [^>]*d="([^"]*)"', svg)
    assert len(paths) == 1 and svg.count("<path") == 1
    modules = [[False] * extent for _ in range(extent)]
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", paths[0])
    assert "".join(f"M{x} {y}h{n}v1h-{m}z" for x, y, n, m in runs) == paths[0], "unexpected path syntax"
    for x, y, n, m in runs:
        assert n == m
        for column in range(int(x), int(x) + int(n)):
            assert not modules[int(y)][column], "overlapping runs"
            modules[int(y)][column] = True
    return modules


@pytest.fixture
def standard_segno(monkeypatch):
    """segno with §7.4.10 padding: zero bits only up to the next codeword boundary, none when already on one."""
    def write_padding_bits(buff, version, length):
        if version not in (segno.consts.VERSION_M1, segno.consts.VERSION_M3) and length % 8:
            buff.extend([0] * (8 - length % 8))

    monkeypatch.setattr(segno.encoder, "write_padding_bits", write_padding_bits)
    return segno


def test_export_covers_all_versions(matrices):
    assert len(matrices) >= 48
    assert {item["version"] for item in matrices} == set(range(1, 41))
    for item in matrices:
        assert item["size"] == 4 * item["version"] + 17 == len(item["modules"])
        assert all(len(row) == item["size"] for row in item["modules"])
        assert 0 <= item["mask"] <= 7 and item["error_correction"] == "M" and item["quiet_zone"] == 4


def test_zxing_decodes_every_symbol(matrices, tmp_path):
    failures = []
    for item in matrices:
        if not item["payload"]:
            continue  # zxing-cpp reports no symbol for empty content, from any encoder (segno's too)
        path = tmp_path / f"{item['name']}.png"
        write_png(with_quiet_zone(item["modules"]), path)
        results = decode_png(str(path))
        if len(results) != 1:
            failures.append(f"{item['name']}: {len(results)} symbols decoded")
            continue
        result = results[0]
        if result.bytes != item["payload"]:
            failures.append(f"{item['name']}: decoded {result.bytes[:40]!r}..., expected {item['payload'][:40]!r}...")
        if result.ec_level != "M":
            failures.append(f"{item['name']}: error correction level {result.ec_level}")
    assert not failures, "\n".join(failures)


def test_otpauth_uris_decode_as_text(matrices, tmp_path):
    uris = [item for item in matrices if item["name"].startswith("otpauth-")]
    assert len(uris) >= 4
    for item in uris:
        path = tmp_path / f"{item['name']}.png"
        write_png(with_quiet_zone(item["modules"]), path)
        [result] = decode_png(str(path))
        assert result.text == item["payload"].decode("utf-8")
        assert result.text.startswith("otpauth://totp/")
    typical = next(item for item in uris if item["name"] == "otpauth-typical")
    assert 6 <= typical["version"] <= 8


def test_same_modules_as_segno_with_our_version_and_mask(matrices, standard_segno):
    failures = []
    for item in matrices:
        qr = standard_segno.make_qr(item["payload"], error="m", mode="byte", version=item["version"], mask=item["mask"],
                           boost_error=False)
        theirs = [[bool(v) for v in row] for row in qr.matrix]
        if theirs != item["modules"]:
            differing = sum(a != b for r1, r2 in zip(theirs, item["modules"]) for a, b in zip(r1, r2))
            failures.append(f"{item['name']} (v{item['version']} mask {item['mask']}): {differing} modules differ")
    assert not failures, "\n".join(failures)


def test_same_version_and_mask_choice_as_segno(matrices, standard_segno):
    failures = []
    for item in matrices:
        qr = standard_segno.make_qr(item["payload"], error="m", mode="byte", boost_error=False)
        if (qr.version, qr.mask) != (item["version"], item["mask"]):
            failures.append(f"{item['name']}: segno v{qr.version} mask {qr.mask}, ours v{item['version']} mask {item['mask']}")
    assert not failures, "\n".join(failures)


def test_svg_is_the_matrix_and_scans(matrices, tmp_path):
    for item in matrices:
        svg = item["svg"]
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
        for external in ("href", "<image", "url(", "<script", "<style", "@import"):
            assert external not in svg
        assert svg_modules(svg) == with_quiet_zone(item["modules"]), item["name"]
        extent = item["size"] + 8
        assert f'width="{extent * 4}" height="{extent * 4}"' in svg
    for item in matrices:
        if item["name"].startswith("otpauth-"):
            path = tmp_path / f"{item['name']}-svg.png"
            write_png(svg_modules(item["svg"]), path)
            [result] = decode_png(str(path))
            assert result.bytes == item["payload"]
