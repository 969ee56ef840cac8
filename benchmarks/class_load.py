"""The dashboard under a class's load: many tabs open at once, some playing, for minutes.

    uv run python benchmarks/class_load.py [--tabs 30] [--playing 10] [--minutes 10]

Starts `morale dashboard` on a free port and opens TABS tabs of it in headless Chromium
(Playwright, the system browser), one after another, as a class arriving. PLAYING of them
press Play (baseline, days up to --horizon); the others sit idle. Every --every seconds,
for MINUTES, it samples:

- the server's memory (resident set size of the dashboard process and its children);
- whether every tab still responds: each playing tab's day counter must have advanced
  since the last sample, and one idle tab (in turn) must answer a click on Step with the
  next day within --patience seconds (its latency is recorded);
- how far the playing tabs have got (days shown).

Then it closes every tab and samples the memory again after --settle seconds. With
--rounds N it does all of that N times on the same server (one class after another), so that
memory kept for good by the first class can be told from memory that grows with every class.
With --first-visitor S a single tab
plays for S seconds and closes before the first class, and the memory after it is reported too:
what the server keeps once it has served any tab (code and caches loaded on first use) is then
told from what a class leaves. Prints one line per sample and a summary; exits 1 if any tab
stopped responding (the figures in docs/dashboard.md come from this script, with the machine's
load).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from dashboards.server import CHROMIUM_ARGS, KERNEL_CULL_SECONDS, MEMORY_LOG, TRIM_SECONDS, launch

DAY = re.compile(r"Day (\d+)")


def server_process(url: str) -> psutil.Process:
    """The `morale dashboard` process this script started (a child of this one), by its port."""
    port = url.rstrip("/").rsplit(":", 1)[1]
    for child in psutil.Process().children(recursive=True):
        try:
            cmdline = child.cmdline()
        except psutil.Error:
            continue
        if "dashboard" in " ".join(cmdline) and port in cmdline:
            return child
    raise RuntimeError(f"no dashboard process found for {url}")


def resident_mb(process: psutil.Process) -> float:
    """Resident memory of the server and its children, in MB."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a child may end between listing and reading
            total += p.memory_info().rss
    return total / 2**20


def shown_day(page) -> int:
    return int(DAY.search(page.get_by_test_id("day").inner_text()).group(1))


def open_tab(context, url: str, timeout_s: float) -> tuple[object, float]:
    """A new tab showing the dashboard's first army; returns it and its load time in seconds."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid=day]", timeout=timeout_s * 1000)
    page.wait_for_selector("rect.soldier", timeout=timeout_s * 1000)
    seconds = time.perf_counter() - start
    card = page.locator(".start-card")  # the start-here card of a first visit: a student picks Free play
    if card.count():
        page.get_by_role("button", name="Free play").first.click()
        card.wait_for(state="detached", timeout=timeout_s * 1000)  # the buttons below move up as it goes
    return page, seconds


def start_playing(page, horizon: int, timeout_s: float = 60.0) -> None:
    """Press Play and wait until the page shows a later day (a click lost under load is retried)."""
    stop = page.get_by_label("Stop at day")
    stop.fill(str(horizon))
    stop.press("Enter")
    before = shown_day(page)
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        play = page.get_by_role("button", name="Play", exact=True)
        if play.count():
            play.first.click()
        for _ in range(40):
            if shown_day(page) > before:
                return
            time.sleep(0.25)
    raise RuntimeError(f"a tab did not start playing within {timeout_s:g} s")


def step_latency(page, patience: float) -> float | None:
    """Seconds for an idle tab to show the next day after a click on Step (None: no answer)."""
    before = shown_day(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Step").first.click()
    while time.perf_counter() - start < patience:
        if shown_day(page) > before:
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def one_class(browser, url: str, server: psutil.Process, args, failures: list[str]) -> dict:
    """Open the tabs, let them play and be clicked for --minutes, close them; the figures."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    tabs, load_times = [], []
    for i in range(args.tabs):
        try:
            page, seconds = open_tab(context, url, timeout_s=args.load_timeout)
        except PlaywrightTimeout:
            failures.append(f"tab {i + 1} did not show the army within {args.load_timeout:g} s "
                            f"({i} open, {min(i, args.playing)} playing; server "
                            f"{resident_mb(server):.0f} MB, load {os.getloadavg()[0]:.2f})")
            return {}
        tabs.append(page)
        load_times.append(seconds)
        if i < args.playing:
            start_playing(page, args.horizon)
    opened_mb = resident_mb(server)
    print(f"{args.tabs} tabs open: load time median {statistics.median(load_times):.1f} s, "
          f"max {max(load_times):.1f} s; server {opened_mb:.0f} MB", flush=True)

    playing, idle = tabs[: args.playing], tabs[args.playing:]
    last_days = [shown_day(p) for p in playing]
    samples, latencies = [], []
    end = time.perf_counter() + args.minutes * 60
    n = 0
    print(f"{'t (s)':>6} {'server MB':>10} {'playing: days shown (min/median/max)':>38} "
          f"{'stalled':>8} {'idle Step (s)':>14}", flush=True)
    t0 = time.perf_counter()
    while time.perf_counter() < end:
        time.sleep(args.every)
        days = [shown_day(p) for p in playing]
        stalled = sum(d <= last and d < args.horizon for d, last in zip(days, last_days, strict=True))
        last_days = days
        latency = step_latency(idle[n % len(idle)], args.patience) if idle else None
        if idle:
            latencies.append(latency)
        n += 1
        mb = resident_mb(server)
        samples.append(mb)
        shown_latency = "no answer" if idle and latency is None else (f"{latency:.2f}" if idle else "-")
        print(f"{time.perf_counter() - t0:>6.0f} {mb:>10.0f} "
              f"{min(days):>12} / {statistics.median(days):>6.0f} / {max(days):>6} {stalled:>8} "
              f"{shown_latency:>14}", flush=True)
        if stalled:
            failures.append(f"{stalled} playing tab(s) did not advance by "
                            f"t = {time.perf_counter() - t0:.0f} s")
        if idle and latency is None:
            failures.append(f"an idle tab did not answer Step within {args.patience:g} s")

    for page in tabs:
        page.close()
    context.close()
    time.sleep(args.settle)
    closed_mb = resident_mb(server)
    armies = armies_alive()
    print(f"every tab closed: server {closed_mb:.0f} MB {args.settle:g} s later; armies alive in "
          f"the server: {armies}", flush=True)
    return {"opened_mb": opened_mb, "samples": samples or [opened_mb], "latencies": latencies,
            "last_days": last_days, "closed_mb": closed_mb, "armies": armies}


def armies_alive() -> str:
    """The server's last count of the armies alive in it (its memory log; '?' if none yet)."""
    log = Path(os.environ[MEMORY_LOG])
    lines = log.read_text().splitlines() if log.exists() else []
    return lines[-1].split()[1] if lines else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=30)
    parser.add_argument("--playing", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--patience", type=float, default=20.0,
                        help="seconds an idle tab may take to answer Step")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds after closing the tabs before the last memory sample")
    parser.add_argument("--rounds", type=int, default=1,
                        help="classes one after another on the same server (memory kept vs grown)")
    parser.add_argument("--horizon", type=int, default=3650, help="the playing tabs' 'Stop at day'")
    parser.add_argument("--load-timeout", type=float, default=120.0,
                        help="seconds a new tab may take to show the army")
    parser.add_argument("--first-visitor", type=float, default=0.0, metavar="SECONDS",
                        help="before the classes, one tab plays for SECONDS and closes, so that what "
                        "the server keeps once it has served any tab is told from what a class leaves")
    args = parser.parse_args()
    if not 1 <= args.playing <= args.tabs:
        parser.error(f"--playing {args.playing} must be 1 to --tabs ({args.tabs})")
    if args.rounds < 1:
        parser.error(f"--rounds {args.rounds} must be 1 or more")

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"machine: {os.cpu_count()} cores, {cpu}, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
          f"Python {platform.python_version()}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{args.tabs} tabs, {args.playing} playing, {args.minutes:g} minutes, a sample every "
          f"{args.every:g} s; {args.rounds} round(s)", flush=True)

    failures: list[str] = []
    rounds = []
    # the server counts the armies alive in it every TRIM_SECONDS, into this file
    memory_log = Path(tempfile.mkdtemp(prefix="class-load-")) / "memory.log"
    os.environ[MEMORY_LOG] = str(memory_log)
    counted_after_cull = KERNEL_CULL_SECONDS + 2 * TRIM_SECONDS
    if args.settle < counted_after_cull:
        print(f"note: --settle {args.settle:g} s is shorter than the session cull plus two counts "
              f"({counted_after_cull:g} s): closed sessions may still be alive", flush=True)
    with launch() as url, sync_playwright() as playwright:
        server = server_process(url)
        idle_mb = resident_mb(server)
        print(f"server idle, before any tab: {idle_mb:.0f} MB", flush=True)
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        visited_mb = None
        if args.first_visitor > 0:
            print(f"-- a first visitor: one tab playing for {args.first_visitor:g} s", flush=True)
            visitor = argparse.Namespace(**{**vars(args), "tabs": 1, "playing": 1,
                                            "minutes": args.first_visitor / 60,
                                            "every": min(args.every, args.first_visitor)})
            figures = one_class(browser, url, server, visitor, failures)
            if not figures:
                print("NOT RESPONDING: " + failures[-1], file=sys.stderr)
                return 1
            visited_mb = figures["closed_mb"]
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"-- round {number} of {args.rounds}", flush=True)
            figures = one_class(browser, url, server, args, failures)
            if not figures:
                print("NOT RESPONDING: " + failures[-1], file=sys.stderr)
                return 1
            rounds.append(figures)
        browser.close()
    shutil.rmtree(memory_log.parent, ignore_errors=True)

    last = rounds[-1]
    samples, latencies, last_days = last["samples"], last["latencies"], last["last_days"]
    answered = [x for x in latencies if x is not None]
    half = len(samples) // 2
    print()
    print(f"server memory: {idle_mb:.0f} MB before any tab; {last['opened_mb']:.0f} MB with the tabs "
          f"open; first half of the samples max {max(samples[:half] or samples):.0f} MB, second half "
          f"max {max(samples[half:]):.0f} MB; {last['closed_mb']:.0f} MB {args.settle:g} s after every "
          f"tab closed")
    if visited_mb is not None:
        print(f"after the first visitor's tab closed: {visited_mb:.0f} MB")
    if args.rounds > 1:
        print("after each round, every tab closed: "
              + ", ".join(f"{r['closed_mb']:.0f}" for r in rounds) + " MB; armies alive: "
              + ", ".join(r["armies"] for r in rounds))
    if answered:
        print(f"idle tabs answered Step in {statistics.median(answered):.2f} s (median), "
              f"{max(answered):.2f} s at worst ({len(answered)} of {len(latencies)} answered)")
    print(f"playing tabs reached days {min(last_days)}-{max(last_days)} "
          f"({statistics.mean(last_days) / (args.minutes * 60):.1f} days/s each on average)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if failures:
        print("NOT RESPONDING: " + "; ".join(dict.fromkeys(failures)), file=sys.stderr)
        return 1
    print("every tab kept responding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
