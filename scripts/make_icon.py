"""Draw the app's page icon, `ui/icon.png` (three vertebral bodies on the theme's teal).

    python scripts/make_icon.py

A local image, because a `:material/...:` page icon makes every page load fetch the icon from
fonts.gstatic.com (seen in Chromium; tests/browser/test_isolation.py fails on it).
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "ui" / "icon.png"


def main() -> None:
    size = 64
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, size - 1, size - 1), radius=14, fill=(31, 111, 139, 255))
    for i in range(3):
        top = 10 + i * 16
        d.rounded_rectangle((16, top, 48, top + 11), radius=4, fill=(255, 255, 255, 255))
    img.save(OUT, optimize=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
