"""The statistics' tables as pictures (matplotlib, no display) and as CSV."""

from __future__ import annotations

import csv
import io

from bot.statistics import Table

FORMATS = ("svg", "png")


def chart(table: Table, fmt: str = "svg") -> bytes:
    """A bar or line chart of the table's first column against its other (numeric) columns."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    from matplotlib.figure import Figure  # on first use: the server stays small until then

    labels = [str(row[0]) for row in table.rows]
    series = [
        (name, [float(row[i] or 0) for row in table.rows])
        for i, name in enumerate(table.columns[1:], start=1)
        if all(isinstance(row[i], int | float) or row[i] is None for row in table.rows)
    ]
    figure = Figure(figsize=(max(6.0, min(16.0, 0.45 * len(labels) + 3)), 4), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(table.title)
    if not labels:
        axes.text(0.5, 0.5, "no data in this period", ha="center", va="center")
        axes.set_axis_off()
    elif table.chart == "line":
        for name, values in series:
            axes.plot(labels, values, marker="o", label=name)
    else:
        width = 0.8 / max(1, len(series))
        for n, (name, values) in enumerate(series):
            positions = [i + (n - (len(series) - 1) / 2) * width for i in range(len(labels))]
            axes.bar(positions, values, width=width, label=name)
        axes.set_xticks(range(len(labels)), labels)
    if labels:
        axes.tick_params(axis="x", labelrotation=60 if len(labels) > 8 else 0, labelsize=8)
        axes.set_ylim(bottom=0)
        axes.legend(fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=100)
    return buffer.getvalue()


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)
    return buffer.getvalue()
