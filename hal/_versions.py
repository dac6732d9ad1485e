"""The Array API versions hal answers for, and the namespace views of older ones.

hal implements the 2025.12 revision.  Code written against an older revision asks
for it with ``x.__array_namespace__(api_version="2024.12")`` and must keep seeing
what that revision specified.  Only three functions changed incompatibly in 2025.12
(gh-981: ``broadcast_arrays``, ``meshgrid`` and ``__array_namespace_info__().devices``
return tuples, they returned lists), so an older version gets a *view* of ``hal``: a
module object that is ``hal`` in every name except those three (and
``__array_api_version__``).  Names added since that revision stay visible: the
standard lets a namespace hold more than it specifies.
"""

from __future__ import annotations

import types

__all__ = ["CURRENT", "SUPPORTED", "namespace"]

CURRENT = "2025.12"
#: every revision hal answers for, oldest first
SUPPORTED = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")

#: api_version -> its namespace view (built on first request; hal itself for CURRENT)
_VIEWS: dict[str, object] = {}


class _ListInfo:
    """``__array_namespace_info__()`` as revisions before 2025.12 specified it:
    ``devices()`` returns a list."""

    __module__ = "hal"

    def __init__(self, info) -> None:
        self._info = info

    def __getattr__(self, name):
        return getattr(self._info, name)

    def devices(self) -> list:
        return list(self._info.devices())


class NamespaceView(types.ModuleType):
    """``hal`` as an older Array API revision specified it (list returns)."""

    def __init__(self, version: str) -> None:
        import hal
        super().__init__("hal", hal.__doc__)
        self.__array_api_version__ = version
        self._hal = hal

    def __getattr__(self, name):
        # everything not overridden below is hal's own object
        return getattr(self._hal, name)

    def __dir__(self):
        return sorted(set(dir(self._hal)) | {"__array_api_version__"})

    def __repr__(self) -> str:
        return f"<module 'hal' (Array API {self.__array_api_version__} view)>"

    def broadcast_arrays(self, *arrays) -> list:
        return list(self._hal.broadcast_arrays(*arrays))

    def meshgrid(self, *arrays, indexing="xy") -> list:
        return list(self._hal.meshgrid(*arrays, indexing=indexing))

    def __array_namespace_info__(self) -> _ListInfo:
        return _ListInfo(self._hal.__array_namespace_info__())


def namespace(version: str):
    """The namespace for ``version`` (one of ``SUPPORTED``): hal itself for the
    current revision, a ``NamespaceView`` for older ones."""
    ns = _VIEWS.get(version)
    if ns is None:
        if version == CURRENT:
            import hal as ns
        else:
            ns = NamespaceView(version)
        _VIEWS[version] = ns
    return ns
