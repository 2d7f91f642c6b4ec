#!/usr/bin/env python3
"""Builds datasets/central_asia.csv, the wide example panel, from the real figures
in this folder plus seeded illustrative columns. Standard library only.

    python3 datasets/build_central_asia.py          # rewrites datasets/central_asia.csv

Real columns (copied as published; see datasets/README.md and SOURCES.md):
  incidents, fatalities, injuries, hostages        <- gti_central_asia.csv (IEP GTI 2023)
  population, gdp_current_usd, remittances_pct_gdp, gdp_growth_pct, inflation_cpi_pct,
  covid_deaths_per_million, *_wgi                  <- central_asia_context.csv
Illustrative columns (NOT real data; generated below with a fixed seed):
  claimed_unverified_attacks, propaganda_releases_local, recruitment_cases
"""
import csv
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20221
UNITS = ["AFG", "PAK", "IRN", "UZB", "TJK", "KGZ", "TKM", "KAZ", "RUS"]
YEARS = list(range(2012, 2023))
CONTEXT = [
    "population", "gdp_current_usd", "remittances_pct_gdp", "gdp_growth_pct",
    "inflation_cpi_pct", "covid_deaths_per_million", "political_stability_wgi",
    "government_effectiveness_wgi", "rule_of_law_wgi", "control_of_corruption_wgi",
]

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


if __name__ == "__main__":
    main()
