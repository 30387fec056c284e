"""The CSRD report's charts, drawn with matplotlib (inlined as SVG, so the page works offline)."""

from __future__ import annotations

import pandas as pd

from orchestration.defs.reports.render import svg_chart


def monthly_energy_by_site(monthly: pd.DataFrame) -> str:
    def draw(ax):
        table = monthly.pivot_table(index="month", columns="location_id", values="energy_kwh", aggfunc="sum").fillna(0)
        bottom = None
        for site in table.columns:
            values = table[site].astype(float)
            ax.bar(table.index, values, bottom=bottom, label=site)
            bottom = values if bottom is None else bottom + values
        ax.set_ylabel("kWh")
        ax.set_title("Energy by site and month")
        ax.legend(fontsize=7, ncols=4)

    return svg_chart(draw)


def location_vs_market(summary: pd.DataFrame) -> str:
    def draw(ax):
        entities = list(summary["legal_entity"])
        x = range(len(entities))
        lb = summary["scope_2_location_based_tco2e"].astype(float).fillna(0)
        mb = summary["scope_2_market_based_tco2e"].astype(float).fillna(0)
        ax.bar([i - 0.2 for i in x], lb, width=0.4, label="location-based")
        ax.bar([i + 0.2 for i in x], mb, width=0.4, label="market-based")
        ax.set_xticks(list(x), entities, fontsize=7, rotation=15)
        ax.set_ylabel("tCO2e")
        ax.set_title("Scope 2 emissions by legal entity")
        ax.legend(fontsize=7)

    return svg_chart(draw)


def cost_centres(costs: pd.DataFrame) -> str:
    def draw(ax):
        by_centre = costs.groupby("cost_centre_id")[["energy_kwh"]].sum().sort_values("energy_kwh")
        ax.barh(by_centre.index, by_centre["energy_kwh"].astype(float))
        ax.set_xlabel("kWh")
        ax.set_title("Energy by cost centre")

    return svg_chart(draw)


def evse_uptime(uptime: pd.DataFrame) -> str:
    def draw(ax):
        table = uptime.sort_values("uptime_pct")
        ax.barh(table["evse_uid"], table["uptime_pct"].astype(float))
        for threshold, label in ((97, "NEVI 97 %"), (99, "UK 99 %")):
            ax.axvline(threshold, linestyle="--", linewidth=0.8, color="grey")
            ax.text(threshold, -0.9, label, fontsize=6, ha="right")
        low = float(table["uptime_pct"].min()) if len(table) else 90.0
        ax.set_xlim(min(low - 1, 95), 100.2)
        ax.tick_params(axis="y", labelsize=6)
        ax.set_xlabel("% of observed time up")
        ax.set_title("EVSE uptime")

    return svg_chart(draw)
