"""Render the PWA PNG icons (same artwork as public/icons/icon.svg) with Pillow; run once, commit output."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def shield(size: int, maskable: bool) -> Image.Image:
    """Draw the shield-and-school mark on a dark-blue tile (maskable: full-bleed with safe margin)."""
    scale = 8  # supersample, then downscale for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    radius = 0 if maskable else int(s * 14 / 64)
    d.rounded_rectangle([0, 0, s - 1, s - 1], radius=radius, fill="#0b3d91")
    k = (0.6 if maskable else 0.75) * s / 64
    ox = (s - 64 * k) / 2
    oy = (s - 64 * k) / 2 - 2 * k

    def p(x: float, y: float) -> tuple[float, float]:
        return (ox + x * k, oy + y * k)

    left = [p(32, 4), p(8, 13), p(8, 30), p(10, 40), p(16, 50), p(24, 56.5), p(32, 60)]
    right = [p(32, 4), p(56, 13), p(56, 30), p(54, 40), p(48, 50), p(40, 56.5), p(32, 60)]
    d.polygon(left, fill="#3b7bf0")
    d.polygon(right, fill="#1f5fd1")
    house = [p(20, 30.5), p(32, 22), p(44, 30.5), p(44, 44), p(36, 44), p(36, 36), p(28, 36), p(28, 44), p(20, 44)]
    d.polygon(house, fill="#ffffff")
    cx, cy = p(32, 16)
    r = 3 * k
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill="#f0b429")
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        shield(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    shield(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
