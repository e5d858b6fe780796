"""Charts as SVG, drawn with pygal (``pip install 'flake8-ssot[charts]'``).

pygal is a small pure-Python library that writes SVG; its default output
loads pygal's tooltip script from the network, so every chart here is drawn
with ``js=[]``: the SVG is static, self-contained and renders the same in
any browser, offline.  The core install does not need pygal; asking for a
chart without it is a one-line error (:class:`ChartsMissing`, exit 2).
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

INSTALL_HINT = "pip install 'flake8-ssot[charts]' (or pip install pygal)"


class ChartsMissing(Exception):
    """pygal is not installed."""


def _pygal() -> Any:
    try:
        import pygal
    except ImportError:
        raise ChartsMissing(f"ssot-report: charts need pygal, which is not installed: {INSTALL_HINT}") from None
    return pygal


def require() -> None:
    """Raise ChartsMissing now rather than after a long run."""
    _pygal()


def _config(pygal: Any, title: str, **options: Any) -> dict[str, Any]:
    style = pygal.style.Style(
        background="white", plot_background="white", foreground="#333", foreground_strong="#111",
        foreground_subtle="#ccc", font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        colors=("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#7f7f7f"),
        title_font_size=18, label_font_size=12, major_label_font_size=12, legend_font_size=13,
    )
    return dict(title=title, js=[], disable_xml_declaration=True, style=style, width=960, height=420,
                legend_at_bottom=True, truncate_legend=-1, stroke_style={"width": 2}, **options)


# pygal puts its configuration in a <script> for its tooltip code, which js=[] leaves out: dead weight.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


def _draw(kind: Any, config: dict[str, Any], labels: Sequence[str], series: Mapping[str, Sequence[float | None]],
          colors: Sequence[str] | None) -> str:
    """A chart of ``kind`` (pygal.Line, pygal.Bar) as an SVG element, without pygal's script."""
    if colors:
        config["style"].colors = tuple(colors)
    config["legend_at_bottom_columns"] = max(1, min(len(series), 7))
    chart = kind(**config)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
               percent: bool = False, colors: Sequence[str] | None = None) -> str:
    """A line per series over ``labels`` (commit dates), as an SVG element; ``colors`` one per series."""
    pygal = _pygal()
    many = len(labels) > 24
    config = _config(
        pygal, title, x_label_rotation=35, show_minor_x_labels=not many, dots_size=2 if many else 3,
        x_labels_major_count=12 if many else None, allow_interruptions=True,
        range=(0, 100) if percent else None, include_x_axis=not percent,
        value_formatter=(lambda v: f"{v:.1f}%") if percent else (lambda v: f"{v:g}"),
    )
    return _draw(pygal.Line, config, labels, series, colors)


def _counts_axis(highest: float) -> list[int]:
    """Whole numbers from 0 to at least ``highest``, about eight of them: counts have no fractions."""
    step = max(1, -(-int(highest) // 8))
    return list(range(0, int(highest) + step + 1, step))


def bar_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]],
              colors: Sequence[str] | None = None) -> str:
    """Grouped bars of counts, one group per label, as an SVG element."""
    pygal = _pygal()
    config = _config(pygal, title, x_label_rotation=0, print_values=True, value_formatter=lambda v: f"{v:g}",
                     y_labels=_counts_axis(max((v for values in series.values() for v in values), default=0)))
    return _draw(pygal.Bar, config, labels, series, colors)
