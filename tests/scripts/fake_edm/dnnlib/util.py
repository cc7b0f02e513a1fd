# Stand-in for NVlabs/edm's dnnlib/util.py: imports what the real one imports at the top (requests,
# distutils) but uses neither while unpickling.
import requests  # noqa: F401
from distutils.util import strtobool  # noqa: F401


class EasyDict(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)

    def __setattr__(self, name, value):
        self[name] = value
