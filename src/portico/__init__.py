"""portico: a console server and account service for shared compute clusters."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("portico")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
