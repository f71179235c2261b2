"""The peer for `cargo xtask bench agreement` and `bench scale`: the Python `krippendorff`
package (numpy), reading the same CSV and computing alpha, end to end.

Usage: python3 krippendorff_peer.py FILE.csv LEVEL [numpy|pandas]
Prints the alpha value on stdout. The reader defaults to numpy.
"""

import sys

import krippendorff
import numpy as np


def read_numpy(path):
    # numpy's C reader with a converter: empty cells become NaN (missing). This is the
    # fastest plain-numpy reading we found (genfromtxt takes twice as long).
    return np.loadtxt(
        path,
        delimiter=",",
        skiprows=1,
        dtype=float,
        converters=lambda s: float(s) if s else np.nan,
    )[:, 1:]


def read_pandas(path):
    # What an analyst would write: pandas' C parser, empty cells read as NaN.
    import pandas as pd

    return pd.read_csv(path).iloc[:, 1:].to_numpy(dtype=float)


def main():
    path, level = sys.argv[1], sys.argv[2]
    reader = sys.argv[3] if len(sys.argv) > 3 else "numpy"
    data = {"numpy": read_numpy, "pandas": read_pandas}[reader](path)
    alpha = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    print(repr(float(alpha)))


if __name__ == "__main__":
    main()
