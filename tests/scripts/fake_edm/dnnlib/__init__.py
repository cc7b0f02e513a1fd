from .util import EasyDict  # noqa: F401
