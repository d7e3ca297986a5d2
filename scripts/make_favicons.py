"""Draw the favicons: ``static/portal/favicon.svg`` and ``.ico`` (the portal), and
``sandbox/favicon.ico`` (the sandbox). Standard library only: run
``python scripts/make_favicons.py`` after changing a shape or a colour, and commit what it writes.

One drawing, a video camera on a rounded square, in each app's colours: the portal's accent
blue with white, the sandbox's GoTo navy with yellow, so two tabs side by side tell apart.
The ``.ico`` holds PNG images (16, 32 and 48 px), which every current browser reads.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = 32  # the drawing's own units
SAMPLES = 4  # per pixel side: 16 samples smooth the edges

# (x0, y0, x1, y1, radius) of the tile and of the camera's body; the lens is a polygon.
TILE = (1.0, 1.0, 31.0, 31.0, 7.0)
BODY = (6.0, 10.0, 20.0, 22.0, 2.5)
LENS = ((21.0, 14.0), (27.0, 10.5), (27.0, 21.5), (21.0, 18.0))

ICONS = {
    "portal": {"tile": "#0b62d6", "glyph": "#ffffff"},
    "sandbox": {"tile": "#0a1f44", "glyph": "#ffb400"},
}


def svg(colours: dict[str, str]) -> str:
    x0, y0, x1, y1, r = TILE
    bx0, by0, bx1, by1, br = BODY
    lens = " ".join(f"{x:g},{y:g}" for x, y in LENS)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}" rx="{r:g}" '
        f'fill="{colours["tile"]}"/>'
        f'<rect x="{bx0:g}" y="{by0:g}" width="{bx1 - bx0:g}" height="{by1 - by0:g}" '
        f'rx="{br:g}" fill="{colours["glyph"]}"/>'
        f'<polygon points="{lens}" fill="{colours["glyph"]}"/></svg>\n'
    )


def _in_rounded_rect(x: float, y: float, shape: tuple[float, ...]) -> bool:
    x0, y0, x1, y1, r = shape
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _in_polygon(x: float, y: float, points: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1], strict=True):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def raster(colours: dict[str, str], pixels: int) -> bytes:
    """RGBA rows of the drawing at ``pixels`` × ``pixels``."""
    tile, glyph = _rgb(colours["tile"]), _rgb(colours["glyph"])
    scale = SIZE / pixels
    rows = bytearray()
    for py in range(pixels):
        rows.append(0)  # PNG filter: none
        for px in range(pixels):
            counts = {"tile": 0, "glyph": 0}
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px + (sx + 0.5) / SAMPLES) * scale
                    y = (py + (sy + 0.5) / SAMPLES) * scale
                    if _in_rounded_rect(x, y, BODY) or _in_polygon(x, y, LENS):
                        counts["glyph"] += 1
                    elif _in_rounded_rect(x, y, TILE):
                        counts["tile"] += 1
            covered = counts["tile"] + counts["glyph"]
            if not covered:
                rows += b"\0\0\0\0"
                continue
            mix = [
                round((tile[i] * counts["tile"] + glyph[i] * counts["glyph"]) / covered)
                for i in range(3)
            ]
            rows += bytes([*mix, round(255 * covered / SAMPLES**2)])
    return bytes(rows)


def png(colours: dict[str, str], pixels: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", pixels, pixels, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raster(colours, pixels), 9))
        + chunk(b"IEND", b"")
    )


def ico(colours: dict[str, str], sizes: tuple[int, ...] = (16, 32, 48)) -> bytes:
    images = [png(colours, size) for size in sizes]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, image in zip(sizes, images, strict=True):
        directory += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(images)


def main() -> None:
    (ROOT / "static/portal/favicon.svg").write_text(svg(ICONS["portal"]))
    (ROOT / "static/portal/favicon.ico").write_bytes(ico(ICONS["portal"]))
    (ROOT / "sandbox/favicon.ico").write_bytes(ico(ICONS["sandbox"]))


if __name__ == "__main__":
    main()
