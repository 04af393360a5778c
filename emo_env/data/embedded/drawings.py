"""Simple drawings made with Pillow at load time, for the labels no shipped photo shows.

No package ships a photograph that honestly evokes anger, and few evoke fear, disgust or
sadness, so the embedded set completes those labels with cartoon faces and scenes drawn
here, deterministically (same pixels on every machine). Each drawing is 256 x 256 RGB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rewards.errors import UnknownNameError

__all__ = ["DRAWINGS", "draw"]

SIZE = 256


def _canvas(background: tuple[int, int, int]) -> tuple[Any, Any]:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (SIZE, SIZE), background)
    return image, ImageDraw.Draw(image)


def _face(pen: Any, fill: tuple[int, int, int]) -> None:
    pen.ellipse((28, 28, 228, 228), fill=fill, outline=(40, 30, 20), width=4)


def _eyes(pen: Any, radius: int = 12, dy: int = 0) -> None:
    for x in (96, 160):
        pen.ellipse((x - radius, 100 + dy - radius, x + radius, 100 + dy + radius), fill="black")


def angry_face() -> Any:
    image, pen = _canvas((250, 235, 220))
    _face(pen, (220, 50, 40))
    pen.line((66, 72, 116, 94), fill="black", width=9)  # brows slanting down to the nose
    pen.line((190, 72, 140, 94), fill="black", width=9)
    _eyes(pen, 10, 6)
    pen.arc((84, 160, 172, 220), 200, 340, fill="black", width=8)  # frown
    return image


def shouting_face() -> Any:
    image, pen = _canvas((60, 20, 20))
    _face(pen, (200, 30, 30))
    pen.line((62, 66, 118, 96), fill="black", width=10)
    pen.line((194, 66, 138, 96), fill="black", width=10)
    _eyes(pen, 9, 8)
    pen.rectangle((88, 150, 168, 200), fill=(60, 0, 0), outline="black", width=5)  # bared mouth
    for x in range(92, 168, 13):
        pen.rectangle((x, 152, x + 9, 164), fill="white")
    for x0, y0 in ((30, 20), (200, 14)):  # steam
        pen.line((x0, y0 + 30, x0 + 14, y0, x0 + 28, y0 + 30), fill=(230, 230, 230), width=6)
    return image


def disgusted_face() -> Any:
    image, pen = _canvas((235, 240, 215))
    _face(pen, (150, 190, 80))
    pen.line((70, 96, 120, 104), fill="black", width=7)  # squinting eyes
    pen.line((136, 104, 186, 96), fill="black", width=7)
    pen.line((112, 128, 122, 146), fill=(60, 40, 20), width=4)  # wrinkled nose
    pen.line((144, 128, 134, 146), fill=(60, 40, 20), width=4)
    pen.line((86, 190, 116, 178, 140, 192, 170, 176), fill="black", width=7)  # grimace
    pen.ellipse((118, 186, 146, 222), fill=(200, 60, 90))  # tongue out
    return image


def frightened_face() -> Any:
    image, pen = _canvas((40, 40, 70))
    _face(pen, (235, 225, 190))
    for x in (96, 160):
        pen.ellipse((x - 22, 80, x + 22, 124), fill="white", outline="black", width=3)
        pen.ellipse((x - 6, 96, x + 6, 108), fill="black")
    pen.arc((70, 54, 120, 80), 200, 340, fill="black", width=5)  # raised brows
    pen.arc((136, 54, 186, 80), 200, 340, fill="black", width=5)
    pen.ellipse((108, 150, 148, 212), fill=(40, 0, 0), outline="black", width=4)  # scream
    return image


def lurking_shadow() -> Any:
    image, pen = _canvas((8, 8, 16))
    for i, x in enumerate(range(0, SIZE, 36)):  # bare trees
        pen.line((x + 10, SIZE, x + 14 + i % 3, 120 - 8 * (i % 4)), fill=(30, 30, 40), width=7)
    pen.ellipse((70, 80, 186, 250), fill=(2, 2, 4))  # looming figure
    pen.ellipse((100, 120, 118, 132), fill=(250, 220, 30))  # glowing eyes
    pen.ellipse((138, 120, 156, 132), fill=(250, 220, 30))
    pen.polygon(
        [(104, 170), (152, 170), (146, 186), (138, 176), (128, 190), (118, 176), (110, 186)],
        fill=(230, 230, 230),
    )  # jagged teeth
    return image


def crying_face() -> Any:
    image, pen = _canvas((170, 180, 200))
    _face(pen, (230, 210, 160))
    pen.line((70, 84, 116, 72), fill="black", width=6)  # brows raised in the middle
    pen.line((186, 84, 140, 72), fill="black", width=6)
    pen.arc((80, 92, 112, 116), 20, 160, fill="black", width=6)  # closed, downcast eyes
    pen.arc((144, 92, 176, 116), 20, 160, fill="black", width=6)
    for x in (92, 164):  # tears
        pen.polygon([(x, 120), (x - 8, 150), (x + 8, 150)], fill=(60, 140, 230))
        pen.ellipse((x - 8, 142, x + 8, 158), fill=(60, 140, 230))
    pen.arc((88, 170, 168, 220), 200, 340, fill="black", width=6)
    return image


def rain_on_wilted_flower() -> Any:
    image, pen = _canvas((120, 125, 135))
    pen.ellipse((10, -40, 150, 60), fill=(80, 82, 90))  # heavy clouds
    pen.ellipse((110, -50, 260, 50), fill=(90, 92, 100))
    for i in range(40):  # rain
        x, y = (i * 53) % SIZE, 60 + (i * 37) % 160
        pen.line((x, y, x - 6, y + 18), fill=(180, 190, 210), width=2)
    pen.rectangle((0, 220, SIZE, SIZE), fill=(70, 60, 50))  # mud
    pen.line((128, 222, 132, 160, 160, 140), fill=(90, 110, 60), width=5)  # drooping stem
    pen.ellipse((150, 132, 182, 164), fill=(120, 90, 110))  # faded head, bowed
    for dx in (-10, 10):
        pen.ellipse((150 + dx, 160, 170 + dx, 176), fill=(110, 85, 100))  # fallen petals
    return image


def laughing_face() -> Any:
    image, pen = _canvas((255, 240, 120))
    _face(pen, (255, 210, 60))
    pen.arc((76, 88, 116, 116), 200, 340, fill="black", width=7)  # eyes squeezed by laughter
    pen.arc((140, 88, 180, 116), 200, 340, fill="black", width=7)
    pen.chord((70, 120, 186, 210), 0, 180, fill=(120, 20, 30), outline="black", width=5)
    pen.chord((100, 170, 156, 206), 180, 360, fill=(230, 90, 100))  # tongue
    for x in (64, 192):  # tears of laughter
        pen.ellipse((x - 8, 108, x + 8, 130), fill=(90, 170, 240))
    return image


def silly_face() -> Any:
    image, pen = _canvas((160, 220, 250))
    _face(pen, (250, 200, 170))
    pen.ellipse((70, 80, 118, 128), fill="white", outline="black", width=3)
    pen.ellipse((138, 80, 186, 128), fill="white", outline="black", width=3)
    pen.ellipse((98, 100, 114, 116), fill="black")  # crossed eyes
    pen.ellipse((142, 100, 158, 116), fill="black")
    pen.ellipse((112, 130, 144, 162), fill=(230, 40, 40))  # clown nose
    pen.arc((80, 150, 176, 206), 10, 170, fill="black", width=6)
    pen.ellipse((132, 186, 160, 224), fill=(240, 100, 120))  # tongue poking out
    pen.polygon([(96, 34), (128, -10), (160, 34)], fill=(120, 60, 200))  # party hat
    return image


DRAWINGS: dict[str, Callable[[], Any]] = {
    f.__name__: f
    for f in (
        angry_face,
        shouting_face,
        disgusted_face,
        frightened_face,
        lurking_shadow,
        crying_face,
        rain_on_wilted_flower,
        laughing_face,
        silly_face,
    )
}


def draw(name: str) -> Any:
    """Draw the picture called ``name`` (a 256 x 256 RGB PIL image)."""
    if name not in DRAWINGS:
        raise UnknownNameError("drawing", name, DRAWINGS)
    return DRAWINGS[name]()
