"""A small inline SVG sparkline; no JavaScript needed for the projects page."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def sparkline(
    values: Sequence[float],
    *,
    width: int = 120,
    height: int = 28,
    low: float = 0,
    high: float = 100,
    label: str = "",
) -> SafeString:
    """A polyline of `values` scaled between `low` and `high`, last point marked."""
    if not values:
        return mark_safe('<span class="muted">no audits yet</span>')
    pad = 3
    span = (high - low) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        v = min(max(v, low), high)
        return pad + i * step, height - pad - (v - low) / span * (height - 2 * pad)

    points = [point(i, v) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    x, y = points[-1]
    title = escape(label or ", ".join(f"{v:g}" for v in values))
    return mark_safe(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{path}"/>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="currentColor"/></svg>'
    )
