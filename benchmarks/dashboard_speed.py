"""How many simulated days per second the dashboard renders while playing, in Chromium.

    uv run python benchmarks/dashboard_speed.py [--seconds 8] [--repeats 3]

Starts `morale dashboard` on a free port, opens it in headless Chromium (Playwright,
the system browser), sets the speed slider, presses Play on the baseline preset and
counts the days the *page shows* advancing (the day counter is re-rendered with the
map and charts each day). Reports the median over repeats for each speed setting,
with the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from dashboards.server import CHROMIUM_ARGS, launch


def shown_day(page) -> int:
    return int(re.search(r"Day (\d+)", page.get_by_test_id("day").inner_text()).group(1))


def measure(browser, url: str, speed: int, seconds: float) -> float:
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
    horizon.fill("5000")  # never reached during the measurement
    horizon.press("Enter")
    page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(1.0)  # past the first frames
    day0, t0 = shown_day(page), time.perf_counter()
    time.sleep(seconds)
    day1, t1 = shown_day(page), time.perf_counter()
    page.get_by_role("button", name="Pause", exact=True).click()
    page.close()
    return (day1 - day0) / (t1 - t0)


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
        print(f"{'speed setting':>14} {'rendered days/s (median)':>26}  runs")
        for speed in args.speeds:
            runs = [measure(browser, url, speed, args.seconds) for _ in range(args.repeats)]
            print(f"{speed:>14} {statistics.median(runs):>26.1f}  "
                  + ", ".join(f"{r:.1f}" for r in runs))
        browser.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
