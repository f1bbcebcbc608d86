"""Pages in the browser tests: their widths, screenshots, the accessibility check, signing up on the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.paths import PROJECT

SCREENSHOTS = PROJECT / "tests" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as tests/screenshots/<name>-<width>.png (a long page: the viewport)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.width_name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


AXE = PROJECT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"  # where make puts it
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")


def assert_accessible(page) -> None:
    """Run axe-core on the page as shown; fail listing every serious or critical WCAG 2 A/AA violation."""
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(PROJECT)} is missing: `make test` installs axe-core from npm")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated, not added as a <script>: the page's Content-Security-Policy refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    found = [v for v in result["violations"] if v["impact"] in AXE_FAILING_IMPACTS]
    if found:
        lines = [f"{len(found)} accessibility violation(s) on {page.url} at {page.width_name} width:"]
        for violation in found:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines += [f"    {' > '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
                      .replace("\n", " ") for node in violation["nodes"]]
        pytest.fail("\n".join(lines), pytrace=False)


PASSWORD = "a long enough password"


def sign_up(page, base: str, name: str) -> None:
    """Create an account through the sign-up form, signed in afterwards."""
    from playwright.sync_api import expect

    page.goto(base + "/signup")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Welcome, {name}.")).to_be_visible()

