"""Catalogue reads (placeholder written by the recycling branch; the catalogue replaces it)."""

import csv
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def reference_embodied_by_device_type() -> dict[str, float]:
    """Embodied (manufacturing) kgCO2e per DEVICE_TYPES key, from Boavizta reference data.

    Laptop, desktop, monitor, smartphone and tablet come from the ADEME Base
    Impacts / NegaOctet figures shipped with boaviztapi (GWP, professional
    variant). Printer and accessory have no entry there: they are documented
    order-of-magnitude constants.
    """
    values = {
        "laptop": 181.0,
        "desktop": 277.0,
        "monitor": 64.7,
        "smartphone": 84.0,
        "tablet": 75.9,
        "printer": 100.0,  # constant: no Boavizta reference for office printers
        "accessory": 10.0,  # constant: keyboard, mouse or headset
    }
    wanted = {
        ("Laptop", "pro"): "laptop",
        ("Desktop", "pro"): "desktop",
        ("Monitor", ""): "monitor",
        ("Smartphone", ""): "smartphone",
        ("Tablet", ""): "tablet",
    }
    try:
        text = (
            resources.files("boaviztapi")
            .joinpath("data/crowdsourcing/ademe_base_impacts_negaoctet.csv")
            .read_text(encoding="utf-8")
        )
        for row in csv.DictReader(text.splitlines()):
            key = wanted.get((row["Category"], row["type"]))
            if key:
                values[key] = round(float(row["GWP"].replace(",", ".")), 1)
    except (OSError, KeyError, ValueError, ModuleNotFoundError):
        pass  # the documented constants above stand in
    return values
