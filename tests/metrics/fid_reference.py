"""Reference FID for fid_test.cpp: the textbook formula with scipy.linalg.sqrtm, in float64.

Usage:
  fid_reference.py A.npy B.npy              -> prints the FID between the rows of A and of B
  fid_reference.py --stats A.npy OUT.npz [--compressed] [--fortran]
                                            -> writes mu, sigma of A's rows as NVlabs/edm's `fid.py ref`
                                               (numpy.savez) or pytorch-fid's --save-stats
                                               (numpy.savez_compressed) do; --fortran stores sigma
                                               column-major
  fid_reference.py --npz A.npz B.npz        -> prints the FID of two statistics files by NVlabs/edm's
                                               calculate_fid_from_inception_stats formula
"""
import sys
import warnings

import numpy as np
import scipy.linalg


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):  # round-off can leave tiny imaginary parts
        root = root.real
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(root))


def fid_from_statistics(mu, sigma, mu_ref, sigma_ref) -> float:
    """EDM's fid.py: |mu - mu_ref|^2 + tr(sigma + sigma_ref - 2 sqrtm(sigma sigma_ref)), real part."""
    distance = np.square(mu - mu_ref).sum()
    with warnings.catch_warnings():  # SciPy >= 1.16 deprecates disp=False, which EDM passes
        warnings.simplefilter("ignore", DeprecationWarning)
        root, _ = scipy.linalg.sqrtm(np.dot(sigma, sigma_ref), disp=False)
    return float(np.real(distance + np.trace(sigma + sigma_ref - root * 2)))


if __name__ == "__main__":
    if sys.argv[1] == "--stats":
        features = np.load(sys.argv[2]).astype(np.float64)
        sigma = np.cov(features, rowvar=False)
        if "--fortran" in sys.argv:
            sigma = np.asfortranarray(sigma)
        save = np.savez_compressed if "--compressed" in sys.argv else np.savez
        save(sys.argv[3], mu=features.mean(axis=0), sigma=sigma)
    elif sys.argv[1] == "--npz":
        a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
        print(repr(fid_from_statistics(a["mu"], a["sigma"], b["mu"], b["sigma"])))
    else:
        first, second = (np.load(path).astype(np.float64) for path in sys.argv[1:3])
        print(repr(frechet_distance(first, second)))
