"""Sharing one server between a class's tabs: how fast each playing tab may go.

Every tab's army steps, and every rendered day is drawn, in the one server process; the
drawing is Python, so all tabs share what amounts to one core. Ten tabs playing at full
speed would take all of it, and a student who opens the page then waits minutes for it
(docs/dashboard.md, "Under a class's load"). So a play loop draws its next day only while
the server process has used less than ``PLAY_SHARE`` of a core (CPU time of all its threads,
over the last moments): what is left always goes to pages being opened, clicks and levers.
A loop that had to wait then steps the days it missed in one frame (up to
``MAX_DAYS_PER_FRAME``): under load a class sees the armies move in bigger jumps, at nearer
the speed asked, instead of pages that stop answering. The same catching up keeps one tab at
the speed asked when drawing a day takes longer than the speed allows (the page then shows
every second or third day; the charts still hold every day).

One tab alone draws a day in about 60 ms on the development machine and rests 20 ms between
frames: it meets the limit now and then, and catches up as above.
"""

from __future__ import annotations

import math
import threading
import time

PLAY_SHARE = 0.6  # of a core: above it, playing tabs wait (the server's work, all threads)
BURST_SECONDS = 0.5  # CPU seconds an idle server banks for the next frames
MAX_DAYS_PER_FRAME = 10  # the biggest jump a tab shows under load
POLL_SECONDS = 0.02


class PlayBudget:
    """A token bucket of the server's CPU seconds: it fills at ``share`` a second, up to ``burst``,
    and empties as the server process works (all of its threads: stepping, drawing, pages
    being opened, clicks).

    A play loop ``wait_turn()``s before each frame; while the server has been busier than
    ``share`` (the bucket is empty) every loop waits, so play takes only the time the server
    has spare and a page being opened is never starved by the tabs already playing.
    """

    def __init__(self, share: float = PLAY_SHARE, burst: float = BURST_SECONDS,
                 clock=time.monotonic, cpu=time.process_time):
        self.share, self.burst, self.clock, self.cpu = share, burst, clock, cpu
        self._lock = threading.Lock()
        self._tokens = burst
        self._updated, self._used = clock(), cpu()

    def available(self) -> float:
        """CPU seconds in the bucket now (negative: the server has been busier than its share)."""
        with self._lock:
            now, used = self.clock(), self.cpu()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.share
                               - (used - self._used))
            self._updated, self._used = now, used
            return self._tokens

    def wait_turn(self, keep_going=lambda: True) -> float:
        """Wait until the bucket holds time again (or ``keep_going()`` turns false); seconds waited
        (0 when it did not have to wait)."""
        if self.available() >= 0:
            return 0.0
        start = self.clock()
        while keep_going() and self.available() < 0:
            time.sleep(POLL_SECONDS)
        return self.clock() - start


BUDGET = PlayBudget()  # the one server's budget, shared by every tab's play loop


def days_this_frame(speed: float, since_last_frame: float, owed: float = 0.0) -> tuple[int, float]:
    """How many days a play loop steps before drawing the next frame, and the fraction of a day
    it still owes after it.

    The days ``speed`` asks for since the last frame, plus what was owed: 1 while frames keep up
    with the speed; more when drawing a frame takes longer than a day's share of a second, or
    after waiting for the server (catching up, so that a tab plays at the speed asked); at
    most ``MAX_DAYS_PER_FRAME`` (a longer wait is not made up).
    """
    due = owed + speed * since_last_frame
    days = max(1, min(MAX_DAYS_PER_FRAME, math.floor(due + 1e-9)))
    return days, min(max(due - days, 0.0), 1.0)
