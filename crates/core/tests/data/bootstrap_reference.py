"""Reference percentiles for the bootstrap of Krippendorff's alpha, for
crates/core/tests/bootstrap_reference.rs.

Written for samskap as an independent check of crates/core/src/agreement/bootstrap.rs: it
shares no code with it and samples another way. It reads the reliability data of
fixtures/agreement/ with Python's csv module, builds the coincidence matrix unit by unit,
and follows the algorithm of Hayes and Krippendorff (2007) as Hayes's KALPHA macro
(version 3.0, 2011, for SPSS) and Stata's kalpha 1.3.0 carry it out, with the departures
docs/analysis.md lists (the correction for one-value resamples uses the draws M as its
exponent, as kalpha does). Where the Rust code draws uniform numbers one at a time and
looks each up in the segments of [0, 1), this script draws each resample's cell counts
at once from numpy's multinomial distribution (PCG64), which has the same distribution.

Run once, from the repository root, with numpy installed (the tests never need Python):

    python3 crates/core/tests/data/bootstrap_reference.py > crates/core/tests/data/bootstrap_reference.json

The committed JSON was made with numpy 2.4.6 on CPython 3.
"""

import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[4]
RESAMPLES = 10_000
SEED = 20070101
LEVEL = 0.95
MINIMUMS = [0.667, 0.8]

CASES = [
    # Hayes and Krippendorff's (2007) own example: 5 observers, 40 units, missing values.
    ("hayes_krippendorff2007_5obs.csv", "ordinal"),
    ("hayes_krippendorff2007_5obs.csv", "nominal"),
    ("hayes_krippendorff2007_5obs.csv", "interval"),
    # Krippendorff (2011), data C: 4 coders, 12 units, missing values.
    ("kripp2011_c_4coders_missing.csv", "nominal"),
    ("kripp2011_c_4coders_missing.csv", "interval"),
    # Two coders, three categories, 200 units.
    ("cohen1960_200units.csv", "nominal"),
    # Two coders, two values, as samskap's per-code measures are.
    ("artstein_poesio2008_ex1.csv", "nominal"),
    ("wikipedia_cohen_50proposals.csv", "nominal"),
]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    coders = len(rows[0]) - 1
    units = [[cell for cell in row[1:] if cell != ""] for row in rows[1:]]
    return coders, units


def coincidences(units, labels):
    index = {label: i for i, label in enumerate(labels)}
    o = np.zeros((len(labels), len(labels)))
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for a in range(m):
            for b in range(m):
                if a != b:
                    o[index[values[a]], index[values[b]]] += 1.0 / (m - 1)
    return o


def differences(labels, level, marginals):
    v = len(labels)
    d = np.zeros((v, v))
    for c in range(v):
        for k in range(v):
            if c == k:
                continue
            if level == "nominal":
                d[c, k] = 1.0
            elif level == "interval":
                d[c, k] = (float(labels[c]) - float(labels[k])) ** 2
            elif level == "ratio":
                a, b = float(labels[c]), float(labels[k])
                d[c, k] = 0.0 if a + b == 0 else ((a - b) / (a + b)) ** 2
            elif level == "ordinal":
                lo, hi = min(c, k), max(c, k)
                between = marginals[lo : hi + 1].sum()
                d[c, k] = (between - (marginals[c] + marginals[k]) / 2.0) ** 2
    return d


def bootstrap(coders, units, level, rng):
    labels = sorted({x for values in units for x in values})
    if level != "nominal":
        labels = sorted(labels, key=float)
    o = coincidences(units, labels)
    marginals = o.sum(axis=1)
    n = marginals.sum()
    d = differences(labels, level, marginals)
    observed = (o * d).sum() / n
    expected = (np.outer(marginals, marginals) * d).sum() / (n * (n - 1))
    alpha = 1.0 - observed / expected

    # The cells c <= k: o_cc / n on the diagonal, 2 o_ck / n off it.
    v = len(labels)
    cells = [(c, k) for c in range(v) for k in range(c, v) if o[c, k] > 0]
    p = np.array([(1.0 if c == k else 2.0) * o[c, k] / n for c, k in cells])
    delta = np.array([d[c, k] for c, k in cells])
    q_cells = int((o > 0).sum())
    draws = int(min(25 * q_cells, round((coders - 1) * n / 2.0)))

    counts = rng.multinomial(draws, p / p.sum(), size=RESAMPLES)
    boot = 1.0 - (counts @ delta) / (draws * expected)
    boot = np.maximum(boot, -1.0)
    ones = np.flatnonzero(boot == 1.0)
    if len(ones):
        diagonal = np.array([o[c, c] for c in range(v) if o[c, c] > 0])
        if len(diagonal) == 1:
            to_zero = len(ones)
        else:
            to_zero = min(len(ones), round(RESAMPLES * ((diagonal / n) ** draws).sum()))
        boot[ones[:to_zero]] = 0.0
    boot.sort()

    tail = (1.0 - LEVEL) / 2.0
    low_rank = max(math.floor(tail * RESAMPLES + 1e-9), 1)
    high_rank = min(math.floor((1.0 - tail) * RESAMPLES + 1e-9) + 1, RESAMPLES)
    return {
        "alpha": alpha,
        "draws": draws,
        "low": float(boot[low_rank - 1]),
        "high": float(boot[high_rank - 1]),
        "q_below": [[m, float((boot < m).sum()) / RESAMPLES] for m in MINIMUMS],
        # The spacing of the possible resampled alphas near the bounds, for the test's
        # tolerance: with two values every draw adds 0 or 1, so alphas come in steps.
        "step": float(delta[delta > 0].min() / (draws * expected)),
    }


def main():
    rng = np.random.Generator(np.random.PCG64(SEED))
    cases = []
    for file, level in CASES:
        coders, units = read(ROOT / "fixtures" / "agreement" / file)
        result = bootstrap(coders, units, level, rng)
        cases.append({"file": file, "level": level, **result})
    json.dump(
        {
            "made_by": "crates/core/tests/data/bootstrap_reference.py",
            "numpy": np.__version__,
            "resamples": RESAMPLES,
            "seed": SEED,
            "level": LEVEL,
            "cases": cases,
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
