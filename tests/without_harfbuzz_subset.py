"""pytest plugin (``-p tests.without_harfbuzz_subset``): behaves as a machine without ``libharfbuzz-subset0``.

WeasyPrint opens the subsetter with ``ffi.dlopen`` and, when that fails, warns (DeprecationWarning) at import time.
Loaded before anything imports WeasyPrint, this makes every ``dlopen`` of a HarfBuzz-Subset name fail, as on a
fresh Debian machine with WeasyPrint's libraries but not that package (used by tests/common/test_pdf.py)."""

import cffi

_dlopen = cffi.FFI.dlopen


def _dlopen_without_subset(self, name, *args, **kwargs):
    if name and "harfbuzz-subset" in str(name):
        raise OSError(f"cannot load library '{name}' (libharfbuzz-subset0 absent, simulated)")
    return _dlopen(self, name, *args, **kwargs)


cffi.FFI.dlopen = _dlopen_without_subset
