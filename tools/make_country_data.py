"""Regenerate ``site_builder/data/countries.json`` from the npm package ``countries-list``.

Usage: ``npm pack countries-list@3 && tar xzf countries-list-*.tgz &&
python tools/make_country_data.py package/countries.min.json``

Keeps, for each ISO 3166-1 alpha-2 code, the continent (North and South America merged
into "Americas"), the short English name and the aliases. ISO codes and official names
come from pycountry at run time; this file only adds what pycountry lacks.
countries-list is MIT licensed (c) Annexare Studio.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CONTINENTS = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "Americas",
    "OC": "Oceania",
    "SA": "Americas",
}


def main(source: str) -> None:
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    out = {
        code: {
            "continent": CONTINENTS[entry["continent"]],
            "name": entry["name"],
            "aliases": sorted(entry.get("alias", [])),
        }
        for code, entry in sorted(data.items())
    }
    target = Path(__file__).resolve().parent.parent / "site_builder" / "data" / "countries.json"
    target.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
