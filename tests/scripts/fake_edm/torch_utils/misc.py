# Stand-in for NVlabs/edm's torch_utils/misc.py: imported by pickled module sources.
import tqdm  # noqa: F401  (an import-only dependency, as the converter must tolerate)

import dnnlib  # noqa: F401
