"""The play budget that shares one dashboard server between a class's tabs (dashboards/pacing.py)."""

import threading
import time

from dashboards import pacing


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_fills_at_its_share_empties_as_the_server_works_and_banks_at_most_a_burst():
    clock, cpu = FakeClock(), FakeClock()
    budget = pacing.PlayBudget(share=0.5, burst=0.4, clock=clock, cpu=cpu)
    assert budget.available() == 0.4
    cpu.now = 1.0  # the server worked a whole CPU second...
    clock.now = 1.0  # ...in one second: 0.5 s more than its share
    assert abs(budget.available() + 0.1) < 1e-12
    clock.now = 2.0  # an idle second gives half a second back
    assert abs(budget.available() - 0.4) < 1e-12
    clock.now = 100.0  # an idle hour banks no more than the burst
    assert budget.available() == 0.4


def test_loops_wait_while_the_server_is_busier_than_the_share():
    """Three loops that each burn 20 ms of CPU a frame, flat out for a second: the process's CPU
    time stays near the share (unthrottled, three threads under the GIL would use all of it)."""
    budget = pacing.PlayBudget(share=0.3, burst=0.05)
    end = time.monotonic() + 1.0

    def burn(seconds: float) -> None:
        stop = time.thread_time() + seconds
        while time.thread_time() < stop:
            pass

    def loop():
        while time.monotonic() < end:
            budget.wait_turn(lambda: time.monotonic() < end)
            if time.monotonic() < end:
                burn(0.02)

    cpu0 = time.process_time()
    threads = [threading.Thread(target=loop) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    used = time.process_time() - cpu0
    assert 0.1 < used < 0.3 + 0.05 + 3 * 0.02 + 0.1  # the share, the first burst, one frame each


def test_wait_turn_returns_at_once_while_the_bucket_holds_time_and_stops_on_request():
    cpu = FakeClock()
    budget = pacing.PlayBudget(share=0.5, burst=0.1, cpu=cpu)
    assert budget.wait_turn() == 0.0
    cpu.now = 1000.0  # far busier than its share
    start = time.monotonic()
    waited = budget.wait_turn(lambda: time.monotonic() - start < 0.1)  # Pause pressed meanwhile
    assert 0.05 < waited < 1.0


def test_days_per_frame_keep_a_tab_at_its_speed_but_never_jump_more_than_the_cap():
    assert pacing.days_this_frame(speed=20, since_last_frame=0.05) == (1, 0.0)  # keeping up
    assert pacing.days_this_frame(speed=20, since_last_frame=0.01)[0] == 1  # never 0 days
    days, owed = pacing.days_this_frame(speed=20, since_last_frame=0.2)  # after a wait: catch up
    assert (days, round(owed, 9)) == (4, 0.0)
    assert pacing.days_this_frame(speed=20, since_last_frame=30)[0] == pacing.MAX_DAYS_PER_FRAME
    # frames of 80 ms at 30 days/s: 2.4 days a frame, so the fractions add up to 30 days a second
    owed, shown = 0.0, 0
    for _ in range(125):  # 10 s of frames
        days, owed = pacing.days_this_frame(30, 0.08, owed)
        shown += days
    assert 299 <= shown <= 300
