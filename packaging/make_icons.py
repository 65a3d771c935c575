"""Render the app icon ``resources/berth.svg`` into the files installers need.

    .venv/bin/python packaging/make_icons.py        # rewrite resources/appicon/
    .venv/bin/python packaging/make_icons.py --check  # exit 1 if they are stale

Writes to ``resources/appicon/``:

- ``berth-<N>.png`` for the Linux icon theme (hicolor) sizes,
- ``berth.ico`` for Windows (the executable and the installer): 16-48 px as 32-bit
  bitmaps, which every Windows shell reads, and 256 px as PNG, as Windows Vista and
  later expect,
- ``berth.icns`` for macOS: PNG entries for 16-512 px and their @2x variants.

The .ico and .icns containers are written here, with no imaging library: both are
a small header and a table of entries. Rendering uses Qt's SVG renderer, so the
output depends only on the PySide6 version; the files are committed, and the build
does not regenerate them.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "berth.svg"
OUT = ROOT / "resources" / "appicon"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_BITMAP_SIZES = (16, 24, 32, 48)
ICO_PNG_SIZES = (256,)
# OSType -> pixel size of the PNG it holds (Apple's icns types, PNG-capable ones).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),   # 16@2x .. 256@2x
)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG", 9):   # 9: smallest file
        raise RuntimeError("could not encode a PNG")
    buf.close()
    return bytes(data.data())


def ico_bitmap(image: QImage) -> bytes:
    """A 32-bit DIB icon entry: BITMAPINFOHEADER, BGRA rows bottom-up, AND mask."""
    size = image.width()
    img = image.convertToFormat(QImage.Format.Format_ARGB32)   # little-endian: B, G, R, A bytes
    pixels = bytes(img.constBits())
    stride = img.bytesPerLine()
    rows = []
    mask_rows = []
    mask_stride = ((size + 31) // 32) * 4
    for y in reversed(range(size)):
        line = pixels[y * stride:y * stride + size * 4]
        rows.append(line)
        bits = bytearray(mask_stride)
        for x in range(size):
            if line[x * 4 + 3] == 0:            # fully transparent: masked out
                bits[x // 8] |= 0x80 >> (x % 8)
        mask_rows.append(bytes(bits))
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0,
                         size * size * 4 + mask_stride * size, 0, 0, 0, 0)
    return header + b"".join(rows) + b"".join(mask_rows)


def ico(entries: list[tuple[int, bytes]]) -> bytes:
    """An .ico file from ``(size, data)`` pairs (data: DIB or PNG)."""
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    table, blobs = [], []
    for size, data in entries:
        dim = 0 if size >= 256 else size    # 0 means 256
        table.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    return out + b"".join(table) + b"".join(blobs)


def icns(entries: list[tuple[bytes, bytes]]) -> bytes:
    """An .icns file from ``(OSType, png data)`` pairs."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in entries)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def build() -> dict[str, bytes]:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot render {SOURCE}")
    images = {n: render(renderer, n) for n in PNG_SIZES}
    pngs = {n: png_bytes(img) for n, img in images.items()}
    files = {f"berth-{n}.png": pngs[n] for n in PNG_SIZES}
    files["berth.ico"] = ico([(n, ico_bitmap(images[n])) for n in ICO_BITMAP_SIZES]
                             + [(n, pngs[n]) for n in ICO_PNG_SIZES])
    files["berth.icns"] = icns([(kind, pngs[n]) for kind, n in ICNS_TYPES])
    del app
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are stale")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, data in files.items()
                 if not (OUT / name).exists() or (OUT / name).read_bytes() != data]
        for name in stale:
            print(f"stale: resources/appicon/{name}")
        return 1 if stale else 0
    OUT.mkdir(exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"resources/appicon/{name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
