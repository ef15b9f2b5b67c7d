"""The version of provpack, recorded in every archive it writes."""

__version__ = "0.8.0"
