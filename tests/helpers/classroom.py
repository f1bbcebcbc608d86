"""What the classroom browser tests share: screens at a named size, layout checks, the QR code read back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.pages import SCREENSHOTS

PROJECTOR = {"width": 1920, "height": 1080}
SMALL_PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 740}


def new_screen(browser, size: dict, **options):
    """A context of its own (own cookies) and a page at ``size``; the page knows its size's name."""
    context = browser.new_context(viewport=size, **options)
    page = context.new_page()
    page.width_name = f"{size['width']}x{size['height']}"
    return context, page


def shoot(page, name: str) -> Path:
    """Save what the screen shows now as tests/screenshots/<name>-<width>x<height>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.width_name}.png"
    page.screenshot(path=str(path))
    return path


def resize(page, size: dict) -> None:
    """Show the page at another size (its screenshots then carry that size's name)."""
    page.set_viewport_size(size)
    page.width_name = f"{size['width']}x{size['height']}"


def overflow(page) -> dict:
    """How far the page runs past the viewport, sideways and downwards, in CSS pixels.

    Downwards counts what the presenter's fixed screen (and its parts that
    hide what does not fit) cut off, not only what would scroll.
    """
    return page.evaluate("""() => {
        const root = document.documentElement;
        const cut = [...document.querySelectorAll('main, .stage-body, .stage-body *')]
            .filter(el => ['hidden', 'clip'].includes(getComputedStyle(el).overflowY)
                          && !el.classList.contains('visually-hidden'))
            .map(el => el.scrollHeight - el.clientHeight);
        return {x: root.scrollWidth - root.clientWidth,
                y: Math.max(root.scrollHeight - root.clientHeight, ...cut)};
    }""")


def assert_fits(page, *, downwards: bool) -> None:
    """Nothing runs off the side (and, for a projector, nothing below the bottom either)."""
    found = overflow(page)
    assert found["x"] <= 0, f"{page.url} at {page.width_name} runs {found['x']} px off the side"
    if downwards:
        assert found["y"] <= 0, f"{page.url} at {page.width_name} runs {found['y']} px below the screen"


def font_px(page, selector: str) -> float:
    """The computed font size of the first element matching ``selector``."""
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


def read_qr(page, selector: str, tmp_path: Path) -> str:
    """Screenshot the element and decode it with zbarimg (Debian's zbar-tools); the text it holds."""
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is missing: `make test` installs Debian's zbar-tools")
    image = tmp_path / "qr.png"
    page.locator(selector).screenshot(path=str(image))
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True,
                           check=False)
    assert found.returncode == 0, f"zbarimg read no QR code: {found.stderr}"
    return found.stdout.strip()
