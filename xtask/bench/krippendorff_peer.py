"""The peer for `cargo xtask bench agreement`: the Python `krippendorff` package (numpy),
reading the same CSV and computing alpha, end to end.

Usage: python3 krippendorff_peer.py FILE.csv LEVEL
Prints the alpha value on stdout.
"""

import sys

import krippendorff
import numpy as np


def main():
    path, level = sys.argv[1], sys.argv[2]
    # numpy's C reader with a converter: empty cells become NaN (missing). This is the
    # fastest plain-numpy reading we found (genfromtxt takes twice as long).
    data = np.loadtxt(
        path,
        delimiter=",",
        skiprows=1,
        dtype=float,
        converters=lambda s: float(s) if s else np.nan,
    )[:, 1:]
    alpha = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    print(repr(float(alpha)))


if __name__ == "__main__":
    main()
