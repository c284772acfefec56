"""Where the V sits (notebook 09): the dip of Figure 2's alpha curve under each pull interval and learning rate,
the directional balance of pull and drift, the pull's own cost, and a law for the minimum's alpha.

Algorithm 1 pulls W towards the prior's W_P: W <- (1 - alpha) W + alpha W_P. Between two pulls Adam moves W and
the prior moves W_P. Along u, the direction from W to W_P after a pull, the gap grows by G = prior_along -
drift_along in one interval (``PullMeasurements.measure``); the next pull takes it from gap_start + G back to
(1 - alpha)(gap_start + G). The gap holds still at the **directional balance** alpha* = G / (gap_start + G): a
settled model has alpha* = alpha; an S-MLP (alpha = 0) has the alpha* at which a pull would just undo what one
interval of training does along the gap, the alpha where pulls start to bind.

The **law** describes where the minimum sits: log10 alpha_min = a + p log10(lr x steps between pulls), fitted by
least squares over **every** setting of the study, not only those whose dip came out beyond noise. It is a
descriptive fit, chosen after the data (``claims.LAW.chosen``), not a finding. Beside it: the same settings fitted
with lr and steps between pulls as separate factors (:func:`two_factor_fit`), each lr's own slope, and slope
intervals that respect the seeds the settings share (:func:`seed_slopes`, :func:`bootstrap_slopes`). alpha_min of a
setting is the geometric mean of the curve's argmin over bootstrap resamples of its seeds
(:func:`imlp_core.reading.inference.argmin_shares`), with the 2.5–97.5 % range of those argmins as its own interval.
A V *beyond noise* is :func:`imlp_core.reading.inference.v_scan`'s (Holm over the α scanned), as in notebook 08.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from imlp_core.facts import TRAIN_IMAGES
from imlp_core.reading.claims import LAW, PREDICTIONS
from imlp_core.reading.inference import (
    CONFIDENCE, Interval, Verdict, alpha_curves, argmin_shares, drops_below_ends, judge_family,
    paired_interval, percent, seed_resamples, t_interval, v_scan,
)
from imlp_core.reading.verdicts import drop_below_ends, interpolates_head

SETTING = ["prior", "lr", "interpolate_every"]  # the columns that name one setting of the study
PAPER_STEPS_PER_EPOCH = math.ceil(TRAIN_IMAGES["cifar10"] / 128)  # 391: Appendix E's batch 128 on 50,000 images


def steps_per_epoch(run: pd.Series) -> int:
    """Optimizer steps in one epoch of ``run``: its training images over its batch size, rounded up."""
    images = run["train_subset"] if pd.notna(run["train_subset"]) else TRAIN_IMAGES[run["dataset"]]
    return math.ceil(int(images) / int(run["batch_size"]))


def steps_between_pulls(run: pd.Series) -> int:
    """Optimizer steps from one pull to the next: N, or one epoch's steps for ``interpolate_every = "epoch"``."""
    return steps_per_epoch(run) if run["interpolate_every"] == "epoch" else int(run["interpolate_every"])


def pulls_in_run(run: pd.Series) -> float:
    """How many times ``run`` was pulled over its training (every run ends on a pull)."""
    return run["epochs"] * steps_per_epoch(run) / steps_between_pulls(run)


def interval_label(every: int | str) -> str:
    """'every step', 'every 5 steps' or 'every epoch'."""
    if every == "epoch":
        return "every epoch"
    return "every step" if int(every) == 1 else f"every {int(every)} steps"


def directional_balance(entry: dict) -> list[float]:
    """alpha* = G / (gap_start + G) per measured layer of one history entry (NaN where it was not measured)."""
    names = ("gap_start", "drift_along", "prior_along")
    if any(entry.get(name) is None for name in names):
        return []
    balance = []
    for gap_start, along, prior_along in zip(*(entry[name] for name in names)):
        if None in (gap_start, along, prior_along) or gap_start + prior_along - along <= 0:
            balance.append(math.nan)  # no gap left (alpha = 1), or one that shrank with no pull
            continue
        growth = prior_along - along
        balance.append(growth / (gap_start + growth))
    return balance


def hidden(run: pd.Series, values: list) -> list:
    """``values`` (one per measured layer) without the head's, where ``run`` pulls its head: the head's numbers
    measure the readout, not the features the pull shapes (as in notebook 08)."""
    return values[:-1] if values and interpolates_head(run) else values


def balance_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run (its last epoch): the median over hidden layers of the directional balance alpha* and of
    the norm ratio drift / gap (notebook 08's), and Adam's first step after the last measured snapshot along u
    against its mean step over the interval (> 1: the first step moves further along the gap than the rest)."""
    rows = []
    for _, run in runs.iterrows():
        last = run["history"][-1]
        directional = hidden(run, directional_balance(last))
        norm = hidden(run, [d / g if d is not None and g else math.nan
                            for d, g in zip(last.get("drift") or [], last.get("gap") or [])])
        steps = steps_between_pulls(run)
        first = hidden(run, last.get("first_step_along") or [])
        along = hidden(run, last.get("drift_along") or [])
        ratio = [f / (a / steps) if f is not None and a else math.nan for f, a in zip(first, along)]
        rows.append({**{c: run[c] for c in SETTING}, "seed": run["seed"], "alpha": run["alpha"],
                     "directional α*": np.nanmedian(directional) if np.isfinite(directional).any() else math.nan,
                     "drift / gap": np.nanmedian(norm) if np.isfinite(norm).any() else math.nan,
                     "first step / mean step": np.nanmedian(ratio) if np.isfinite(ratio).any() else math.nan})
    return pd.DataFrame(rows, columns=[*SETTING, "seed", "alpha", "directional α*", "drift / gap",
                                       "first step / mean step"])


def interior(curves: pd.DataFrame) -> pd.DataFrame:
    """The columns 0 < alpha < 1 of per-seed curves."""
    return curves[[a for a in curves.columns if 0 < a < 1]]


def alpha_min(curves: pd.DataFrame) -> tuple[float, float]:
    """(geometric mean, sd in decades) of the interior argmin of the seed-mean curve over bootstrap resamples."""
    shares = argmin_shares(interior(curves))
    if shares.empty:
        return math.nan, math.nan
    logs = np.log10(shares.index.to_numpy(float))
    mean = float((shares.to_numpy() * logs).sum())
    return 10**mean, float(math.sqrt((shares.to_numpy() * (logs - mean) ** 2).sum()))


def alpha_min_range(curves: pd.DataFrame) -> tuple[float, float]:
    """The 2.5 % and 97.5 % quantiles of the interior argmin over bootstrap resamples of the seeds: the setting's own
    interval for alpha_min (which the out-of-sample check holds a prediction against)."""
    shares = argmin_shares(interior(curves))
    if shares.empty:
        return math.nan, math.nan
    cumulative = shares.sort_index().cumsum()
    tail = (1 - CONFIDENCE) / 2
    low = float(cumulative.index[np.searchsorted(cumulative.to_numpy(), tail, side="right")])
    high = float(cumulative.index[min(np.searchsorted(cumulative.to_numpy(), 1 - tail - 1e-12), len(cumulative) - 1)])
    return low, high


def modal_alpha(curves: pd.DataFrame) -> float:
    """The interior alpha that is the minimum in most bootstrap resamples of the seeds."""
    shares = argmin_shares(interior(curves))
    return float(shares.idxmax()) if not shares.empty else math.nan


def pull_cost(runs: pd.DataFrame, alpha: float) -> Interval:
    """The last pull's own effect at ``alpha``: per seed accuracy after it minus before it (points), with its
    interval (``test_acc_before_pull``; runs made before it was recorded have none)."""
    rows = runs[(runs["alpha"] == alpha) & runs["test_acc_before_pull"].notna()].set_index("seed")
    return paired_interval(percent(rows["test_acc"]), percent(rows["test_acc_before_pull"]))


def dip_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per setting (prior, lr, interval): steps between pulls and lr x steps, seeds, the S-MLP's and the
    prior's accuracy (``prior acc``), the minimum's alpha (modal, and the resample geometric mean with its sd in decades), the
    drop below both ends there with its interval and whether it is beyond noise (a V), the same drop measured just
    before the last pull (what training made, apart from the pull), the last pull's own effect there, the S-MLP's
    directional balance alpha* (mean over seeds, with its interval), and the mean drop below both ends at every
    interior α (``drop at α``: what a test at a fixed α reads)."""
    rows = []
    balance = balance_frame(runs)
    for setting, frame in runs[runs["schedule"] == "constant"].groupby(SETTING, sort=True):
        curves = alpha_curves(frame)
        if not {0.0, 1.0} <= set(curves.columns) or interior(curves).empty:
            continue
        steps = steps_between_pulls(frame.iloc[0])
        modal = modal_alpha(curves)
        geometric, spread = alpha_min(curves)
        own_low, own_high = alpha_min_range(curves)
        scan = v_scan(frame)
        drop = drop_below_ends(frame, modal)
        before = frame[(frame["alpha"] == modal) & frame["test_acc_before_pull"].notna()].set_index("seed")
        drop_before = paired_interval(percent(before["test_acc_before_pull"]), curves[[0.0, 1.0]].min(axis=1))
        in_setting = (balance[SETTING] == pd.Series(setting, index=SETTING)).all(axis=1)
        smlp_balance = t_interval(balance[in_setting & (balance["alpha"] == 0)]["directional α*"])
        rows.append({**dict(zip(SETTING, setting)), "interval": interval_label(setting[2]), "steps": steps,
                     "lr × steps": setting[1] * steps, "seeds": len(curves),
                     "S-MLP": t_interval(curves[0.0]),
                     "prior acc": t_interval(percent(frame.groupby("seed")["prior_test_acc"].first())),
                     "modal α_min": modal, "α_min": geometric, "α_min sd (decades)": spread,
                     "α_min low": own_low, "α_min high": own_high,
                     "drop": drop, "V": bool(scan.v_alphas), "V at α": scan.v_alphas, "drop before pull": drop_before,
                     "pull effect": pull_cost(frame, modal), "S-MLP α*": smlp_balance,
                     "drop at α": drops_below_ends(frame).mean()})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Law:
    """y = intercept + slope x, fitted by least squares on ``n`` points (x, y in log10 units for alpha_min)."""

    slope: float
    intercept: float
    slope_interval: tuple[float, float]
    residual_sd: float
    n: int
    x_mean: float
    x_ss: float  # sum of squared deviations of x
    flat: bool = False  # fitted as a constant (slope 0, one parameter)

    def predict(self, x: float) -> tuple[float, float, float]:
        """(prediction, low, high): the ``CONFIDENCE`` prediction interval of a new point at ``x``."""
        centre = self.intercept + self.slope * x
        parameters = 1 if self.flat else 2
        if self.n <= parameters:
            return centre, math.nan, math.nan
        t = stats.t.ppf(0.5 + CONFIDENCE / 2, self.n - parameters)
        spread = 0.0 if self.flat else (x - self.x_mean) ** 2 / self.x_ss
        half = t * self.residual_sd * math.sqrt(1 + 1 / self.n + spread)
        return centre, centre - half, centre + half


def fit_law(x: np.ndarray, y: np.ndarray) -> Law | None:
    """The least-squares line through (x, y) (``scipy.stats.linregress``); None below three points or one x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) < 3 or np.ptp(x) == 0:
        return None
    fit = stats.linregress(x, y)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, len(x) - 2)
    residual_sd = math.sqrt(((y - fit.intercept - fit.slope * x) ** 2).sum() / (len(x) - 2))
    return Law(fit.slope, fit.intercept, (fit.slope - t * fit.stderr, fit.slope + t * fit.stderr), residual_sd,
               len(x), float(x.mean()), float(((x - x.mean()) ** 2).sum()))


def fit_constant(y: np.ndarray) -> Law | None:
    """The flat law y = mean (slope 0): what the data support where the fitted slope's interval holds 0. Its
    prediction interval is mean ± t s sqrt(1 + 1/n) at every x; None below two points."""
    y = np.asarray(y, float)
    y = y[np.isfinite(y)]
    if len(y) < 2:
        return None
    return Law(0.0, float(y.mean()), (0.0, 0.0), float(y.std(ddof=1)), len(y), 0.0, math.inf, flat=True)


def law_points(table: pd.DataFrame) -> pd.DataFrame:
    """The settings the law is fitted on: every setting of ``claims.LAW``'s prior, whatever its dip, with
    log10(lr x steps) and its two factors, log10 alpha_min and its own interval, log10 of the S-MLP's directional
    balance, and the mean drop below both ends at every interior α (``drop at α``)."""
    rows = table[(table["prior"] == LAW.prior) & np.isfinite(table["α_min"])]
    return pd.DataFrame({"lr": rows["lr"], "interval": rows["interval"], "x": np.log10(rows["lr × steps"]),
                         "log lr": np.log10(rows["lr"]), "log steps": np.log10(rows["lr × steps"] / rows["lr"]),
                         "log α_min": np.log10(rows["α_min"]), "own low": np.log10(rows["α_min low"]),
                         "own high": np.log10(rows["α_min high"]),
                         "log α*": np.log10([b.mean for b in rows["S-MLP α*"]]),
                         "drop at α": rows["drop at α"]})


def two_factor_fit(points: pd.DataFrame) -> pd.DataFrame:
    """log10 alpha_min = a + b log10 lr + c log10(steps between pulls), least squares (``statsmodels`` OLS): one row
    per factor with its coefficient and 95 % interval. Empty below two learning rates, two intervals or four
    points: the two factors cannot be told apart there."""
    columns = ["term", "estimate", "low", "high", "points"]
    if points["lr"].nunique() < 2 or points["log steps"].nunique() < 2 or len(points) < 4:
        return pd.DataFrame(columns=columns)
    design = sm.add_constant(points[["log lr", "log steps"]].to_numpy(float))
    fit = sm.OLS(points["log α_min"].to_numpy(float), design).fit()
    bounds = fit.conf_int(alpha=1 - CONFIDENCE)
    return pd.DataFrame([{"term": term, "estimate": float(fit.params[i]), "low": float(bounds[i, 0]),
                          "high": float(bounds[i, 1]), "points": len(points)}
                         for i, term in ((1, "lr"), (2, "steps between pulls"))], columns=columns)


def slopes_by_lr(points: pd.DataFrame) -> pd.DataFrame:
    """Each learning rate's own slope of log10 alpha_min against log10(lr x steps) (:func:`fit_law` on its settings
    alone, where the slope is that of steps between pulls), with its 95 % interval; lrs with fewer than three
    settings are left out."""
    rows = []
    for lr, group in points.groupby("lr", sort=True):
        law = fit_law(group["x"], group["log α_min"])
        if law is not None:
            rows.append({"lr": lr, "estimate": law.slope, "low": law.slope_interval[0], "high": law.slope_interval[1],
                         "points": law.n})
    return pd.DataFrame(rows, columns=["lr", "estimate", "low", "high", "points"])


def setting_curves(runs: pd.DataFrame) -> list[tuple[float, pd.DataFrame]]:
    """(log10(lr x steps), interior per-seed curves) of every complete constant-α setting of ``claims.LAW``'s prior,
    over the seeds that every setting holds (the seeds the settings share)."""
    chosen = runs[(runs["prior"] == LAW.prior) & (runs["schedule"] == "constant")]
    settings = []
    for (_, lr, _), frame in chosen.groupby(SETTING, sort=True):
        curves = alpha_curves(frame)
        if {0.0, 1.0} <= set(curves.columns) and not interior(curves).empty:
            settings.append((math.log10(lr * steps_between_pulls(frame.iloc[0])), interior(curves).dropna()))
    shared = sorted(set.intersection(*(set(c.index) for _, c in settings))) if settings else []
    return [(x, curves.loc[shared]) for x, curves in settings]


def _slope(x: list[float], curves: list[pd.DataFrame]) -> float:
    """The least-squares slope of log10 of each curve's seed-mean argmin (the lowest α on a tie) against ``x``."""
    y = [math.log10(c.mean().idxmin()) for c in curves]
    return float(stats.linregress(x, y).slope) if len(set(x)) > 1 else math.nan


def seed_slopes(runs: pd.DataFrame) -> pd.Series:
    """The law's slope fitted on each shared seed alone (each setting's argmin on that seed's curve), by seed: the
    seed, not the setting, is the unit that repeats, so their t-interval respects what the settings share."""
    settings = setting_curves(runs)
    seeds = settings[0][1].index if settings else []
    return pd.Series({seed: _slope([x for x, _ in settings], [c.loc[[seed]] for _, c in settings]) for seed in seeds},
                     dtype=float)


def bootstrap_slopes(runs: pd.DataFrame) -> pd.Series:
    """The law's slope over bootstrap resamples of the shared seeds (``inference.seed_resamples``: all 27 for three
    seeds), one resample drawn for every setting at once, so that settings sharing a seed move together."""
    settings = setting_curves(runs)
    draws = seed_resamples(settings[0][1].index) if settings else []
    return pd.Series([_slope([x for x, _ in settings], [c.loc[list(draw)] for _, c in settings]) for draw in draws],
                     dtype=float)


def law_fits(runs: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Every fit notebook 09 shows of where the minimum sits, one row per coefficient: the law's slope with its
    least-squares interval (as if the settings were independent), over bootstrap resamples of the shared seeds
    (2.5–97.5 %) and from one slope per seed (t-interval); the two-factor fit; each lr's own slope."""
    points = law_points(table)
    law = fit_law(points["x"], points["log α_min"])
    columns = ["fit", "term", "estimate", "low", "high", "points", "interval"]
    if law is None:
        return pd.DataFrame(columns=columns)
    tail = (1 - CONFIDENCE) / 2
    resampled, per_seed = bootstrap_slopes(runs).dropna(), t_interval(seed_slopes(runs))
    rows = [{"fit": "the law", "term": "lr × steps", "estimate": law.slope, "low": law.slope_interval[0],
             "high": law.slope_interval[1], "points": law.n, "interval": "least squares, points taken as independent"}]
    if len(resampled):
        rows.append({"fit": "the law", "term": "lr × steps", "estimate": law.slope,
                     "low": float(resampled.quantile(tail)), "high": float(resampled.quantile(1 - tail)),
                     "points": law.n, "interval": f"bootstrap over seeds ({len(resampled)} resamples)"})
    if per_seed.n > 1:
        rows.append({"fit": "the law", "term": "lr × steps", "estimate": per_seed.mean, "low": per_seed.low,
                     "high": per_seed.high, "points": law.n, "interval": f"one slope per seed ({per_seed.n} seeds)"})
    rows += [{"fit": "two factors", **row, "interval": "least squares"}
             for row in two_factor_fit(points).to_dict("records")]
    rows += [{"fit": f"lr {row.pop('lr'):g} alone", "term": "steps between pulls", **row, "interval": "least squares"}
             for row in slopes_by_lr(points).to_dict("records")]
    return pd.DataFrame(rows, columns=columns)


def out_of_sample(table: pd.DataFrame, fit_lr: float | None = None) -> pd.DataFrame:
    """Each setting predicted from settings it is not among (no leakage): with ``fit_lr``, fitted on the settings at
    that learning rate and predicting the others; without, leaving one setting out at a time. Per predicted setting:
    its measured log10 alpha_min and its own interval (:func:`alpha_min_range`), the law's line (:func:`fit_law`)
    with its 95 % prediction interval, a constant (the fitted settings' mean) with its own, and what the S-MLP's
    directional balance predicts (alpha_min = c alpha*, c fitted on the same settings)."""
    points = law_points(table).reset_index(drop=True)
    if fit_lr is not None:
        splits = [(points[points["lr"] == fit_lr], points[points["lr"] != fit_lr])]
    else:
        splits = [(points.drop(index=i), points.loc[[i]]) for i in points.index]
    rows = []
    for train, test in splits:
        law, constant = fit_law(train["x"], train["log α_min"]), fit_constant(train["log α_min"])
        offset = float((train["log α_min"] - train["log α*"]).mean()) if len(train) else math.nan
        for _, point in test.iterrows():
            centre, low, high = law.predict(point["x"]) if law else (math.nan,) * 3
            flat, flat_low, flat_high = constant.predict(point["x"]) if constant else (math.nan,) * 3
            rows.append({"lr": point["lr"], "interval": point["interval"], "measured": point["log α_min"],
                         "own low": point["own low"], "own high": point["own high"],
                         "law": centre, "law low": low, "law high": high,
                         "constant": flat, "constant low": flat_low, "constant high": flat_high,
                         "balance": point["log α*"] + offset})
    return pd.DataFrame(rows, columns=["lr", "interval", "measured", "own low", "own high", "law", "law low",
                                       "law high", "constant", "constant low", "constant high", "balance"])


PREDICTORS = ("law", "constant", "balance")
IN_LOG = ["measured", "own low", "own high", "law", "law low", "law high", "constant", "constant low", "constant high",
          "balance"]  # the columns of out_of_sample in log10 of alpha_min


def out_of_sample_checks(table: pd.DataFrame, lrs: tuple[float, ...]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Notebook 09's out-of-sample checks by name (leaving one setting out; the law fitted at the largest lr
    predicting every setting of the others), and the table it writes to ``results/09_out_of_sample``."""
    held_out = {"leaving one setting out at a time": out_of_sample(table)}
    if len(set(law_points(table)["lr"])) > 1:
        held_out[f"fitted at lr {max(lrs):g}, predicting lr {min(lrs):g}"] = out_of_sample(table, fit_lr=max(lrs))
    checks = pd.concat(held_out, names=["check", "row"]).reset_index(level=0)
    written = checks.round(dict.fromkeys(IN_LOG, 3)).rename(columns={c: f"log10 α_min: {c}" for c in IN_LOG})
    return held_out, written


def prediction_errors(held_out: pd.DataFrame) -> dict[str, float]:
    """Per predictor of :func:`out_of_sample`: the root-mean-square error in decades, and in how many held-out
    settings its prediction falls inside the setting's own interval (a check either model can fail); and how many
    measured values fall inside the law's and the constant's prediction intervals."""
    known = held_out.dropna(subset=["law"])
    if not len(known):
        return {"held out": 0}
    errors = {f"{name} rmse": float(np.sqrt(((known[name] - known["measured"]) ** 2).mean())) for name in PREDICTORS}
    inside_own = {f"{name} inside own": int(((known["own low"] <= known[name]) & (known[name] <= known["own high"])).sum())
                  for name in PREDICTORS}
    covered = {f"{name} covers": int(((known[f"{name} low"] <= known["measured"])
                                      & (known["measured"] <= known[f"{name} high"])).sum()) for name in ("law", "constant")}
    return {**errors, **inside_own, **covered, "held out": len(known)}


def check_errors(checks: pd.DataFrame) -> dict[str, dict[str, float]]:
    """:func:`prediction_errors` of each check in ``results/09_out_of_sample.csv`` (the second value of
    :func:`out_of_sample_checks`, its columns prefixed ``log10 α_min: ``), by the check's name."""
    return {name: prediction_errors(frame.rename(columns=lambda c: c.removeprefix("log10 α_min: ")))
            for name, frame in checks.groupby("check", sort=False)}


def nearest_alpha(alphas: pd.Index, alpha: float) -> float:
    """The α of ``alphas`` nearest ``alpha`` in log10 (the lower on a tie)."""
    return float(min(alphas, key=lambda a: (abs(math.log10(a) - math.log10(alpha)), a)))


def depth_at_laws_alpha(points: pd.DataFrame, law: Law) -> pd.Series:
    """Per setting, the mean drop below both ends at the grid α nearest the law's alpha_min there: what a test at the
    law's α reads (the paper-scale test reads α = ``claims.PREDICTED_ALPHA``), never the setting's deepest point."""
    return pd.Series([drops[nearest_alpha(drops.index, 10 ** (law.intercept + law.slope * x))]
                      for x, drops in zip(points["x"], points["drop at α"])], index=points.index, dtype=float)


def paper_prediction(table: pd.DataFrame, lr: float = 1e-4, steps_per_epoch: int = PAPER_STEPS_PER_EPOCH
                     ) -> pd.DataFrame:
    """What the law, fitted on every setting (``claims.LAW``), predicts at Appendix E's lr for per-step and per-epoch
    pulls: alpha_min with its 95 % prediction interval (widened for extrapolation, as a new point's is), what a
    constant (the settings' mean, :func:`fit_constant`) predicts with its own, and the depth at the law's α
    (:func:`depth_at_laws_alpha`, a line in log10(lr x steps) the same way); each law the line whatever its slope's
    interval."""
    points = law_points(table)
    where, flat = fit_law(points["x"], points["log α_min"]), fit_constant(points["log α_min"])
    depth = fit_law(points["x"], depth_at_laws_alpha(points, where)) if where else None
    rows = []
    for name, steps in (("every step", 1), ("every epoch", steps_per_epoch)):
        x = math.log10(lr * steps)
        centre, low, high = where.predict(x) if where else (math.nan,) * 3
        c_centre, c_low, c_high = flat.predict(x) if flat else (math.nan,) * 3
        d_centre, d_low, d_high = depth.predict(x) if depth else (math.nan,) * 3
        rows.append({"pulls": name, "lr × steps": lr * steps,
                     "law": "—" if where is None else f"slope {where.slope:.2f}",
                     "slope low": where.slope_interval[0] if where else math.nan,
                     "slope high": where.slope_interval[1] if where else math.nan, "settings": where.n if where else 0,
                     "α_min": 10**centre, "α_min low": 10**low,
                     "α_min high": min(10**high, 1.0),  # an interpolation weight is at most 1
                     "constant α_min": 10**c_centre, "constant low": 10**c_low, "constant high": min(10**c_high, 1.0),
                     "depth": d_centre, "depth low": d_low, "depth high": d_high,
                     "extrapolated": not points.empty and not points["x"].min() <= x <= points["x"].max()})
    return pd.DataFrame(rows)


OUTCOMES = {(True, False): "for the law", (False, True): "for a constant", (True, True): "cannot tell them apart",
            (False, False): "against both"}  # (inside the law's interval, inside the constant's) -> what it says


def tested_alphas(row: pd.Series, alphas: tuple[float, ...]) -> pd.DataFrame:
    """For each interior α of ``alphas`` (the grid a test runs): whether it lies inside the law's and the constant's
    prediction interval of alpha_min (one row of :func:`paper_prediction`), and what a minimum found there says.
    Only the α inside one interval and not the other can tell the law from a constant."""
    rows = []
    for alpha in (a for a in alphas if 0 < a < 1):
        law = bool(row["α_min low"] <= alpha <= row["α_min high"])
        constant = bool(row["constant low"] <= alpha <= row["constant high"])
        rows.append({"α": alpha, "inside the law's interval": law, "inside the constant's": constant,
                     "a minimum here": OUTCOMES[law, constant]})
    return pd.DataFrame(rows, columns=["α", "inside the law's interval", "inside the constant's", "a minimum here"])


# ---------------------------------------------------------------------------------------------
# The paper-scale test, and notebook 09's diagnostics

def paper_scale_verdicts(tested: pd.DataFrame) -> list[Verdict]:
    """The registered paper-scale prediction (``claims.PREDICTIONS``) judged as one family on the stored per-step
    runs at Appendix E's settings (``experiments.paper_test_runs``; empty: every claim *not run*)."""
    return judge_family(PREDICTIONS, tested, "paper")


def first_step_table(runs: pd.DataFrame, alphas: tuple[float, ...] = (0.0, 0.1, 0.3)) -> pd.DataFrame:
    """Adam's first step after a pull along u against its mean step over the interval (median over hidden layers,
    mean over seeds with its :class:`Interval`), for intervals of more than one step, at ``alphas``: above 1, the
    first step moves further along the gap than the interval's average; negative, it moves away from the prior.
    ``prose.first_step_text`` writes it as notebook 09's table."""
    balance = balance_frame(runs[runs["alpha"].isin(alphas) & (runs["interpolate_every"] != 1)])
    rows = []
    for (prior, lr, every), frame in balance.groupby(SETTING, sort=True):
        row = {"prior": prior, "lr": lr, "pulls": interval_label(every)}
        for alpha in alphas:
            row[f"α = {alpha:g}"] = t_interval(frame[frame["alpha"] == alpha]["first step / mean step"])
        rows.append(row)
    return pd.DataFrame(rows)


def settled_ratios(runs: pd.DataFrame, remaining: float = 0.01) -> dict[str, Interval]:
    """For the models that have settled (constant alpha < 1 whose pulls leave less than ``remaining`` of the
    starting gap: (1 - alpha)^pulls, e.g. 0.05 after 200 per-step pulls leaves 4e-5), the ratio of balance to alpha,
    directional and by norms (per seed the mean over those models, then over seeds with its interval): 1 where
    the measure is right."""
    pulls = runs.apply(pulls_in_run, axis=1) if len(runs) else pd.Series(dtype=float)
    chosen = runs[(runs["schedule"] == "constant") & (runs["alpha"] < 1) & ((1 - runs["alpha"]) ** pulls < remaining)]
    balance = balance_frame(chosen)
    return {name: t_interval((balance[name] / balance["alpha"]).groupby(balance["seed"]).mean())
            for name in ("directional α*", "drift / gap")}


