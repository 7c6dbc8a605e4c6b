"""Results: history records, the run folder's files, plots and progress."""

from redfl.results.history import History
from redfl.results.writer import RunWriter

__all__ = ["History", "RunWriter"]
