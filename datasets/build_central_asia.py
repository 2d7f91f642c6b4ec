#!/usr/bin/env python3
"""Builds the Central Asia example's data from the real figures in this folder plus
seeded illustrative columns. Standard library only.

    python3 datasets/build_central_asia.py

writes
  central_asia.csv                  the wide panel: GTI incidents and casualties, COVID-19
                                    deaths, and the illustrative columns
  world_bank/wdi_central_asia.csv   WDI indicators as the World Bank's API download lays
                                    them out (metadata lines, a row per country and
                                    indicator, a column per year 1960-2023)
  world_bank/wgi_central_asia.csv   WGI estimates as a DataBank export lays them out
                                    (Series Code, `2012 [YR2012]` columns, `..`, footer)

Real columns (copied as published; see datasets/README.md and SOURCES.md):
  incidents, fatalities, injuries, hostages        <- gti_central_asia.csv (IEP GTI 2023)
  covid_deaths_per_million, the WDI and WGI values <- central_asia_context.csv
Illustrative columns (NOT real data; generated below with a fixed seed):
  claimed_unverified_attacks, propaganda_releases_local, recruitment_cases
"""
import csv
import io
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20221
UNITS = ["AFG", "PAK", "IRN", "UZB", "TJK", "KGZ", "TKM", "KAZ", "RUS"]
YEARS = list(range(2012, 2023))
CONTEXT = ["covid_deaths_per_million"]
# World Bank series: (our name in central_asia_context.csv, code, the World Bank's name).
WDI = [
    ("population", "SP.POP.TOTL", "Population, total"),
    ("gdp_current_usd", "NY.GDP.MKTP.CD", "GDP (current US$)"),
    ("remittances_pct_gdp", "BX.TRF.PWKR.DT.GD.ZS", "Personal remittances, received (% of GDP)"),
    ("gdp_growth_pct", "NY.GDP.MKTP.KD.ZG", "GDP growth (annual %)"),
    ("inflation_cpi_pct", "FP.CPI.TOTL.ZG", "Inflation, consumer prices (annual %)"),
]
WGI = [
    ("political_stability_wgi", "PV.EST", "Political Stability and Absence of Violence/Terrorism: Estimate"),
    ("government_effectiveness_wgi", "GE.EST", "Government Effectiveness: Estimate"),
    ("rule_of_law_wgi", "RL.EST", "Rule of Law: Estimate"),
    ("control_of_corruption_wgi", "CC.EST", "Control of Corruption: Estimate"),
]
# The World Bank's country names.
WB_NAMES = {
    "AFG": "Afghanistan", "PAK": "Pakistan", "IRN": "Iran, Islamic Rep.", "UZB": "Uzbekistan",
    "TJK": "Tajikistan", "KGZ": "Kyrgyz Republic", "TKM": "Turkmenistan", "KAZ": "Kazakhstan",
    "RUS": "Russian Federation",
}

# Illustrative ISKP activity profile per unit: (propaganda base, recruitment base,
# claimed-only attack rate). Higher where ISKP is based (AFG, PAK) and where its
# local-language media target audiences (UZB, TJK, KGZ); low elsewhere.
PROFILE = {
    "AFG": (40, 30, 3.0), "PAK": (25, 20, 2.0), "IRN": (4, 3, 0.3),
    "UZB": (6, 5, 0.2), "TJK": (8, 6, 0.3), "KGZ": (4, 3, 0.1),
    "TKM": (1, 1, 0.05), "KAZ": (2, 2, 0.05), "RUS": (5, 8, 0.4),
}


def poisson(rng, lam):
    """Knuth's method; fine for the small rates used here."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def main():
    rng = random.Random(SEED)
    gti = {}
    with open(os.path.join(HERE, "gti_central_asia.csv"), newline="") as f:
        for r in csv.DictReader(f):
            gti[(r["iso3"], int(r["year"]))] = r
    context = {}
    with open(os.path.join(HERE, "central_asia_context.csv"), newline="") as f:
        for r in csv.DictReader(f):
            context[(r["iso3"], int(r["year"]), r["indicator"])] = r["value"]
    rows = []
    for year in YEARS:
        for unit in UNITS:
            g = gti[(unit, year)]
            row = {"iso3": unit, "country": g["country"], "year": year}
            for col in ["incidents", "fatalities", "injuries", "hostages"]:
                row[col] = g[col]
            for col in CONTEXT:
                value = context.get((unit, year, col), "")
                # COVID-19 deaths are zero by definition before the pandemic (2020).
                if col == "covid_deaths_per_million" and year < 2020 and unit != "TKM":
                    value = "0"
                row[col] = value
            prop, recr, claim = PROFILE[unit]
            # ISKP's local-language output grew after 2020 (Uzbek/Tajik releases).
            growth = 1.0 + (0.35 * (year - 2020) if year > 2020 else 0.0)
            if unit in ("UZB", "TJK", "KGZ") and year >= 2021:
                growth *= 2.0
            row["propaganda_releases_local"] = poisson(rng, prop * growth)
            row["recruitment_cases"] = poisson(rng, recr * (1.0 + 0.1 * (year - 2012)))
            row["claimed_unverified_attacks"] = poisson(rng, claim * growth)
            rows.append(row)
    # Documented events: ISKP claimed rockets at Termez (UZB, April 2022) and at
    # Tajikistan (May 2022); none confirmed to have landed.
    for row in rows:
        if row["year"] == 2022 and row["iso3"] in ("UZB", "TJK"):
            row["claimed_unverified_attacks"] = max(1, row["claimed_unverified_attacks"])
    out = os.path.join(HERE, "central_asia.csv")
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, out)
    print(f"wrote {out}: {len(rows)} rows")
    write_wdi(context)
    write_wgi(context)


def by_name():
    """The units in the World Bank's order: alphabetical by its country name."""
    return sorted(UNITS, key=lambda u: WB_NAMES[u])


def write_wdi(context):
    """An API download: 4 metadata lines, every cell quoted, a trailing comma."""
    out = os.path.join(HERE, "world_bank", "wdi_central_asia.csv")
    years = list(range(1960, 2024))
    quote = lambda cells: ",".join('"%s"' % c for c in cells) + ","
    lines = [
        quote(["Data Source", "World Development Indicators"]),
        "",
        quote(["Last Updated Date", "2024-06-28"]),
        "",
        quote(["Country Name", "Country Code", "Indicator Name", "Indicator Code"] + [str(y) for y in years]),
    ]
    for unit in by_name():
        for ours, code, name in WDI:
            values = [context.get((unit, y, ours), "") for y in years]
            lines.append(quote([WB_NAMES[unit], unit, name, code] + values))
    write_lines(out, lines, "\r\n")


def write_wgi(context):
    """A DataBank export: Series columns, `YYYY [YRYYYY]` years, `..`, a footer."""
    out = os.path.join(HERE, "world_bank", "wgi_central_asia.csv")
    years = YEARS
    rows = [["Country Name", "Country Code", "Series Name", "Series Code"] + ["%d [YR%d]" % (y, y) for y in years]]
    for unit in by_name():
        for ours, code, name in WGI:
            rows.append([WB_NAMES[unit], unit, name, code] + [context.get((unit, y, ours), "") or ".." for y in years])
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    lines = text.getvalue().splitlines() + ["", "", "Data from database: Worldwide Governance Indicators", "Last Updated: 09/27/2023"]
    write_lines(out, lines, "\n")


def write_lines(out, lines, end):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as f:
        f.write(end.join(lines) + end)
    os.replace(tmp, out)
    print(f"wrote {out}: {len(lines)} lines")


if __name__ == "__main__":
    main()
