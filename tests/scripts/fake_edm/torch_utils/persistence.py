# Stand-in for NVlabs/edm's torch_utils/persistence.py (see ../README.md): objects of a persistent class
# pickle as _reconstruct_persistent_obj(meta), meta holding their module's source, class name and state.
import copy
import inspect
import sys
import types
import uuid

import dnnlib

_source_of = {}  # module -> its source
_module_of = {}  # source -> a module made from it


def persistent_class(cls):
    module = sys.modules[cls.__module__]
    source = _source_of.get(module) or inspect.getsource(module)
    _source_of[module] = source

    class Persistent(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._init_kwargs = copy.deepcopy(kwargs)

        @property
        def init_kwargs(self):
            return dnnlib.EasyDict(copy.deepcopy(self._init_kwargs))

        def __reduce__(self):
            meta = {"type": "class", "module_src": source, "class_name": cls.__name__, "state": dict(self.__dict__)}
            return _reconstruct_persistent_obj, (meta,)

    Persistent.__name__ = cls.__name__
    Persistent.__qualname__ = cls.__qualname__
    Persistent.__module__ = cls.__module__
    return Persistent


def _reconstruct_persistent_obj(meta):
    source = meta["module_src"]
    module = _module_of.get(source)
    if module is None:
        module = types.ModuleType("_imported_module_" + uuid.uuid4().hex)
        sys.modules[module.__name__] = module
        _source_of[module] = source
        _module_of[source] = module
        exec(source, module.__dict__)
    cls = module.__dict__[meta["class_name"]]
    obj = cls.__new__(cls)
    setstate = getattr(obj, "__setstate__", None)
    if callable(setstate):
        setstate(dict(meta["state"]))
    else:
        obj.__dict__.update(meta["state"])
    return obj
