"""Prototype, not the model: bad news from home that a whole company hears (design seeds only).

    uv run python docs/design/local_news.py local=L [seeds=N] [first=S] [days=D] [name=value ...]

Bearman (1991), "Desertion as Localism": Confederate companies raised from one county deserted
together when the news from that county was bad; Costa and Kahn (2003): company make-up predicted
Union desertion. In the model every soldier hears bad news from home on his own
(`home_news_rate` a day). Here a share `local` (0..1) of that news is the company's: each day
each company hears, with chance `local` x `home_news_rate`, news of its home that every soldier
present in it hears at once (his worry for home set to 1, as for personal news); the rest stays
personal, with chance (1 - `local`) x `home_news_rate` a soldier. A soldier's expected news is
unchanged; only its correlation within a company changes (0 = the model, bit for bit in its
draws apart from the company stream). The company draws come from a stream of their own (seed +
20,000), so `local=0` reproduces the model exactly.

Runs `baseline` for D days (180) on seeds S to S+N-1 (design seeds 100-119 by default; two
worker processes) with the given parameters, and again with `peer_influence` 0, and prints for
each: the army's mean rate (se), the share of desertions in cascades of 5+ (mean over seeds),
the seeds with a frontline cascade of 10+ by day 90, and the number of cascades of 10+.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options  # the script beside this one

from model import processes as proc
from model.metrics import unit_table
from model.model import MoraleModel


class LocalNews(MoraleModel):
    """The model with a share ``local`` of bad news from home heard by a whole company."""

    def __init__(self, seed: int, local: float, **overrides):
        self.local = local
        self.company_draws = np.random.default_rng(seed + 20_000)
        super().__init__(rng=seed, **overrides)

    def hear_from_home(self) -> None:
        p, s = self.params, self.soldier_table
        personal = proc.personal_events((1.0 - self.local) * p.home_news_rate, self.present_rows,
                                        self.rng)
        n_units = len(self.units)
        struck = np.flatnonzero(self.company_draws.random(n_units) < self.local * p.home_news_rate)
        rows = self.present_rows
        shared = rows[np.isin(s.unit[rows], struck)] if struck.size else rows[:0]
        news = np.union1d(personal, shared)
        news = news[self._still_present(news)]
        s.home_worry[news] = proc.worry_after_home_news(s.home_worry[news])
        self.counts["home_news"] += news.size


def one_run(args: tuple) -> tuple:
    seed, local, days, overrides = args
    model = LocalNews(seed, local, **overrides)
    model.run(90)
    units = unit_table(model)
    early = units[units.posture == "frontline"].largest_cascade.max()
    model.run(days - 90)
    sizes = model.cascades.table()["size"].to_numpy()
    s = model.soldier_table
    rate = (s.times_deserted > 0).sum() / s.n
    in_large = sizes[sizes >= 5].sum() / max(sizes.sum(), 1)
    return rate, in_large, int(early) if early == early else 0, int((sizes >= 10).sum())


def summary(label: str, results: list[tuple]) -> str:
    rates = np.array([r[0] for r in results])
    se = rates.std(ddof=1) / np.sqrt(rates.size)
    return (f"{label}: rate {rates.mean():.2%} (se {se:.2%}) | in cascades of 5+ "
            f"{np.mean([r[1] for r in results]):.1%} | frontline 10+ by day 90 in "
            f"{sum(r[2] >= 10 for r in results)} of {len(results)} | cascades of 10+ "
            f"{sum(r[3] for r in results)}")


if __name__ == "__main__":
    own, overrides = read_options({"local": "1", "seeds": "20", "first": "100", "days": "180"})
    local, days = float(own["local"]), int(own["days"])
    seeds = range(int(own["first"]), int(own["first"]) + int(own["seeds"]))
    with ProcessPoolExecutor(2) as pool:
        on = list(pool.map(one_run, [(seed, local, days, overrides) for seed in seeds]))
        off = list(pool.map(one_run, [(seed, local, days, {**overrides, "peer_influence": 0.0})
                                      for seed in seeds]))
    print(f"local {local} {overrides} seeds {seeds.start}-{seeds.stop - 1}, {days} days")
    print(" ", summary("peers on ", on))
    print(" ", summary("peers off", off))
