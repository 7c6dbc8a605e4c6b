"""Per-round progress on the terminal (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console


def format_value(value: float | None, digits: int = 4) -> str:
    """Format a metric, or a dash when it was not measured this round."""
    return "-" if value is None else f"{value:.{digits}f}"


class RoundProgress:
    """Print one line per round; silent when disabled."""

    def __init__(self, total_rounds: int, enabled: bool = True) -> None:
        self.total_rounds = total_rounds
        self.console = Console(highlight=False, soft_wrap=True) if enabled else None

    def start(self, name: str, nodes: int, workers: int, out_dir: str) -> None:
        """Announce the run."""
        if self.console is None:
            return
        self.console.print(
            f"[bold]{name}[/bold]: {nodes} nodes on {workers} worker(s), "
            f"{self.total_rounds} rounds -> {out_dir}"
        )

    def round_done(self, record: dict[str, Any]) -> None:
        """Print the line for a finished round."""
        if self.console is None:
            return
        width = len(str(self.total_rounds))
        failed = record["num_failed"]
        failed_text = f"[red]{failed}[/red]" if failed else "0"
        self.console.print(
            f"round {record['round']:>{width}}/{self.total_rounds}  "
            f"acc {format_value(record.get('test_accuracy'))}  "
            f"loss {format_value(record.get('test_loss'))}  "
            f"nodes ok {record['num_fit']} failed {failed_text}  "
            f"{record.get('bytes_sent', 0) / 1e6:.2f} MB  "
            f"{record['duration_s']:.2f} s"
        )

    def finish(self, summary: dict[str, Any], out_dir: str) -> None:
        """Print the final accuracy and where results are."""
        if self.console is None:
            return
        self.console.print(
            f"[bold green]done[/bold green]: final test accuracy "
            f"{format_value(summary.get('final_test_accuracy'))} after "
            f"{summary['rounds']} rounds in {summary['wall_s']:.1f} s; "
            f"results in {out_dir}"
        )
