"""How many simulated days per second the dashboard shows while playing, in Chromium.

    uv run python benchmarks/dashboard_speed.py [--seconds 8] [--repeats 3] [--tabs 1]

Starts `morale dashboard` on a free port, opens it in headless Chromium (Playwright,
the system browser) in TABS tabs, sets the speed slider, presses Play on the baseline
preset in every tab and counts, in each, the days the *page shows* advancing and the
frames it draws (each frame re-renders the day counter with the map and the charts; a
frame shows one day, or several when drawing is slower than the speed asks:
dashboards/pacing.py). Reports the median over repeats for each speed setting (per tab),
with the machine and its load; also the first load of a fresh server.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import class_load
from benchmarks.class_load import shown_day
from dashboards.server import CHROMIUM_ARGS, launch

COUNT_FRAMES = """() => {
    window.__frames = 0;
    let last = document.querySelector('[data-testid=day]')?.innerText;
    // every change to the page: has the day shown changed? (the element itself is replaced)
    new MutationObserver(() => {
        const day = document.querySelector('[data-testid=day]')?.innerText;
        if (day !== last) { window.__frames += 1; last = day; }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def open_tab(browser, url: str, speed: int):
    """A tab showing the baseline army, its speed slider set, ready to play."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(url)
    page.wait_for_selector("rect.soldier")
    slider = page.locator(".v-input", has=page.get_by_text("Speed (days per second)")).get_by_role("slider")
    slider.focus()
    slider.press("Home")
    for _ in range(speed - 1):
        slider.press("ArrowRight")
    assert slider.get_attribute("aria-valuenow") == str(speed)
    horizon = page.get_by_label("Stop at day")
    for _ in range(5):  # a value typed while the page re-renders can be lost: check that it held
        horizon.fill("5000")  # never reached during the measurement
        horizon.press("Enter")
        time.sleep(1.0)
        if horizon.input_value() == "5000":
            break
    else:
        raise RuntimeError("the tab did not take 'Stop at day' 5000")
    page.evaluate(COUNT_FRAMES)
    return page


def measure(browser, url: str, speed: int, seconds: float, tabs: int = 1) -> list[tuple[float, float]]:
    """(days shown per second, frames drawn per second) of each of ``tabs`` tabs playing at once."""
    pages = [open_tab(browser, url, speed) for _ in range(tabs)]
    for page in pages:
        page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(1.0)  # past the first frames
    start = [(shown_day(p), p.evaluate("window.__frames"), time.perf_counter()) for p in pages]
    time.sleep(seconds)
    result = []
    for page, (day0, frames0, t0) in zip(pages, start, strict=True):
        day1, frames1, t1 = shown_day(page), page.evaluate("window.__frames"), time.perf_counter()
        result.append(((day1 - day0) / (t1 - t0), (frames1 - frames0) / (t1 - t0)))
    for page in pages:
        pause = page.get_by_role("button", name="Pause", exact=True)
        if not pause.count():  # the tab stopped playing by itself: say why (the page's message)
            raise RuntimeError(f"a tab stopped playing at {page.get_by_test_id('day').inner_text()!r}: "
                               + " | ".join(page.locator(".v-alert").all_inner_texts()))
        pause.click()
        page.close()
    return result


def first_load(browser, url: str) -> float:
    """Seconds until a fresh server's first tab shows the army (the server already announced)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    _, seconds = class_load.open_tab(context, url, timeout_s=120)
    context.close()
    return seconds


def server_costs(repeats: int = 20) -> None:
    """Milliseconds per day of the server-side work behind one frame, at day 120 of baseline."""
    from dashboards import views
    from model.model import MoraleModel

    model = MoraleModel(rng=42)
    model.run(120)
    series = model.datacollector.model_vars

    def per_call(work) -> float:
        start = time.perf_counter()
        for _ in range(repeats):
            work()
        return (time.perf_counter() - start) / repeats * 1000

    charts = per_call(lambda: [views.line_chart("x", [("a", "#000", series["desertion_rate"]),
                                                       ("b", "#000", series["mean_fear"])])
                               for _ in range(4)])
    print(f"server work per day: model step {per_call(model.step):.1f} ms, unit map "
          f"{per_call(lambda: views.unit_map(model)):.1f} ms, four charts {charts:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--speeds", type=int, nargs="+", default=[20, 30, 60])
    parser.add_argument("--tabs", type=int, default=1, help="tabs playing at once")
    parser.add_argument("--costs-only", action="store_true", help="only the server-side costs")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    server_costs()
    if args.costs_only:
        return
    with launch() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        print(f"first load of a fresh server: {first_load(browser, url):.1f} s")
        print(f"{args.tabs} tab(s) playing at once; per tab:")
        print(f"{'speed setting':>14} {'days shown/s (median)':>22} {'frames/s (median)':>18}  runs (days/s)")
        for speed in args.speeds:
            runs = [measure(browser, url, speed, args.seconds, args.tabs) for _ in range(args.repeats)]
            days = [d for run in runs for d, _ in run]
            frames = [f for run in runs for _, f in run]
            print(f"{speed:>14} {statistics.median(days):>22.1f} {statistics.median(frames):>18.1f}  "
                  + ", ".join(f"{d:.1f}" for d in days))
        browser.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
