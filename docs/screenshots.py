"""Regenerate the dashboard screenshots in docs/img/ (headless Chromium, Playwright).

    uv run python docs/screenshots.py           # all of them
    uv run python docs/screenshots.py lesson    # only lesson mode (lesson_run.png, lesson_explain.png)
    uv run python docs/screenshots.py links     # only cycle.png and hysteresis.png (runs opened by link)

Serves `morale dashboard`, captures the start card of a first load, closes it, plays the
baseline preset (seed 42) to day 120, pauses, clicks a soldier, and captures each view.
Lesson mode: picks the morale_cycle_tipping lesson, predicts, plays to its intervention day
(where it pauses), then to the end, and opens the explanation. Links: opens the
morale_cycle_tipping lesson at day 180 by its link (cycle.png: the collapse) and the hysteresis
lesson at day 180 (hysteresis.png: the chart below the army's charts).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from dashboards.server import CHROMIUM_ARGS, launch

OUT = Path(__file__).resolve().parent / "img"


def lesson_mode(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_selector("rect.soldier")
    page.locator(".v-select", has_text="Lesson").first.click()
    page.get_by_role("option", name="morale_cycle_tipping").click()
    page.get_by_text("B. More, roughly in proportion").click()
    page.get_by_role("button", name="Lock in my prediction").click()
    page.get_by_role("button", name="Play to day 60").click()
    page.wait_for_function("() => document.querySelector('[data-testid=day]').innerText === 'Day 60'")
    time.sleep(1.5)
    page.screenshot(path=OUT / "lesson_run.png")
    page.get_by_role("button", name="Play to day 180").click()
    page.wait_for_function("() => document.querySelector('[data-testid=day]').innerText === 'Day 180'")
    page.get_by_role("button", name="Explain", exact=True).click()
    page.wait_for_selector("[data-testid=lesson-effect]")
    time.sleep(1)
    page.screenshot(path=OUT / "lesson_explain.png")
    page.close()


def views(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 820})
    page.goto(url)
    page.wait_for_selector("rect.soldier")
    time.sleep(1)
    page.screenshot(path=OUT / "start.png")
    page.get_by_role("button", name="Close", exact=True).click()
    page.wait_for_selector(".start-card", state="detached")  # Play moves up: click it where it stays
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-testid=day]').innerText.slice(4)) >= 120",
        timeout=120_000,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    time.sleep(1)
    page.locator("rect.soldier[data-band=w], rect.soldier[data-band=s]").nth(5).click()
    time.sleep(1)
    page.screenshot(path=OUT / "army.png")
    page.get_by_test_id("chart-desertion").scroll_into_view_if_needed()
    time.sleep(0.5)
    page.screenshot(path=OUT / "charts.png")
    for tab, name in [("Cascades", "cascades"),
                      ("Compare A/B", "compare")]:
        page.get_by_role("tab", name=tab).click()
        time.sleep(1.5)
        if name == "compare":
            page.get_by_role("button", name="Run A/B").click()
            page.wait_for_selector("[data-testid=compare-table]")
            time.sleep(1)
        page.screenshot(path=OUT / f"{name}.png")
    page.close()


def by_link(browser, url: str) -> None:
    """Runs opened by their links (?lesson=...&day=...): the page replays them to the day."""
    # taller than 900, so that the status line and the whole diagram fit in one picture
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url + "?lesson=morale_cycle_tipping&seed=42&day=180")
    page.wait_for_function("() => document.querySelector('[data-testid=day]')?.innerText === 'Day 180'")
    page.get_by_role("tab", name="Morale cycle").click()
    page.wait_for_selector("[data-testid=loop-diagram]")
    time.sleep(1)
    # the status line just below the app bar (scrolling the diagram into view hid half of it)
    page.get_by_role("button", name="Play").evaluate(
        "e => { e.style.scrollMarginTop = '76px'; e.scrollIntoView({block: 'start'}); }"
    )
    time.sleep(0.5)
    page.screenshot(path=OUT / "cycle.png")
    page.goto(url + "?lesson=hysteresis&seed=42&day=180")
    page.wait_for_function("() => document.querySelector('[data-testid=day]')?.innerText === 'Day 180'")
    page.get_by_test_id("chart-hysteresis").scroll_into_view_if_needed()
    time.sleep(1)
    page.locator(".hyst-row").screenshot(path=OUT / "hysteresis.png")
    page.close()


def main(only: str | None = None) -> None:
    OUT.mkdir(exist_ok=True)
    with launch() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        if only in (None, "views"):
            views(browser, url)
        if only in (None, "lesson"):
            lesson_mode(browser, url)
        if only in (None, "links"):
            by_link(browser, url)
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
