"""Send user modules to Ray workers with the objects that use them."""

from __future__ import annotations

import logging
import sys
import sysconfig
from pathlib import Path
from typing import Any

from ray import cloudpickle

logger = logging.getLogger(__name__)


def ship_by_value(obj: Any) -> None:
    """Pickle the module that defines ``obj`` by value if workers may lack it.

    A module from an installed distribution (site-packages) or from Red
    itself is imported by workers as usual. Any other module (a file in the
    working folder, say) is serialised with the objects that reference it,
    so workers do not need it on their path. Only that module travels, not
    other local modules it imports.
    """
    name = getattr(obj, "__module__", None)
    module = sys.modules.get(name) if isinstance(name, str) else None
    if module is None or not isinstance(name, str):
        return
    if name in ("__main__", "builtins"):
        return
    if name == "redfl" or name.startswith("redfl."):
        return
    file = getattr(module, "__file__", None)
    installed = {
        Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib")
    }
    if file is None or any(p in Path(file).resolve().parents for p in installed):
        return

    cloudpickle.register_pickle_by_value(module)
    logger.debug("module %s will be sent to workers by value", name)
