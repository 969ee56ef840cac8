"""Regenerate the dashboard screenshots in docs/img/ (headless Chromium, Playwright).

    uv run python docs/screenshots.py

Serves `morale dashboard`, plays the baseline preset (seed 42) to day 120, pauses,
clicks a soldier, and captures each view.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from dashboard_speed import ARGS, start_server

OUT = Path(__file__).resolve().parent / "img"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    proc, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            page.goto(url)
            page.wait_for_selector("rect.soldier")
            page.get_by_role("button", name="Play").click()
            page.wait_for_function(
                "() => parseInt(document.querySelector('[data-testid=day]').innerText.slice(4)) >= 120"
            )
            page.get_by_role("button", name="Pause").click()
            time.sleep(1)
            page.locator("rect.soldier[data-band=w], rect.soldier[data-band=s]").nth(5).click()
            time.sleep(1)
            page.screenshot(path=OUT / "army.png")
            page.get_by_test_id("chart-desertion").scroll_into_view_if_needed()
            time.sleep(0.5)
            page.screenshot(path=OUT / "charts.png")
            for tab, name in [("Morale cycle", "cycle"), ("Cascades", "cascades"),
                              ("Compare A/B", "compare")]:
                page.get_by_role("tab", name=tab).click()
                time.sleep(1.5)
                if name == "compare":
                    page.get_by_role("button", name="Run A/B").click()
                    page.wait_for_selector("[data-testid=compare-table]")
                    time.sleep(1)
                page.screenshot(path=OUT / f"{name}.png")
            browser.close()
    finally:
        proc.terminate()
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
