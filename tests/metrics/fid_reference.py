"""Reference FID for fid_test.cpp: the textbook formula with scipy.linalg.sqrtm, in float64.

Usage: fid_reference.py A.npy B.npy  -> prints the FID between the rows of A and of B.
"""
import sys

import numpy as np
import scipy.linalg


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):  # round-off can leave tiny imaginary parts
        root = root.real
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(root))


if __name__ == "__main__":
    first, second = (np.load(path).astype(np.float64) for path in sys.argv[1:3])
    print(repr(frechet_distance(first, second)))
