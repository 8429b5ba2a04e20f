"""Reference life-cycle data from the `boaviztapi` package, used offline as a library.

Called at seed and import time (and when an admin leaves equipment figures
blank), never per request: results are cached for the process.
Dataset: Boavizta API archetypes (`data/archetypes/user_terminal.csv`) and the
ADEME Base Impacts / NegaOctet factors bundled in boaviztapi 2.5.0.
"""

import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from flask import current_app, has_app_context

HOURS_PER_YEAR = 8760
# `DEVICE_USE_HOURS_PER_YEAR`'s default: the legal annual working time of the French public
# service (1,607 hours), when an office device is on.
DEFAULT_USE_HOURS_PER_YEAR = 1607
# Boavizta's device types used during working hours: their yearly electricity is the
# average power × the configured hours of use. Boavizta's own ratio (30 % of the clock,
# 2,628 hours) gave an office laptop 197 kWh a year, where ADEME counts tens. The others
# keep Boavizta's ratio: an internet box runs around the clock (100 %), a USB stick or an
# external disk is plugged in now and then (5 %, less than working hours).
WORKING_HOURS_DEVICE_TYPES = frozenset({"laptop", "desktop", "monitor", "smartphone", "tablet"})
# The reference's address, given with every item whose figures come from it.
BOAVIZTA_URL = "https://github.com/Boavizta/boaviztapi"

# Catalogue category -> boaviztapi archetype id, the reference of an item entered
# without figures. boaviztapi has no printer, and no keyboard, mouse, headset, webcam or
# docking station: printers and accessories need figures entered with a citation (an
# accessory once took an external hard disk's). The demo's USB stick, disks and 4G box
# name their own archetypes (`seed.EQUIPMENT`).
CATEGORY_ARCHETYPES: dict[str, str] = {
    "laptop": "laptop-pro",
    "desktop": "desktop-pro",
    "monitor": "monitor-default",
    "smartphone": "smartphone-default",
    "tablet": "tablet-default",
}
ARCHETYPE_CLASSES = {
    "laptop": "DeviceLaptop",
    "desktop": "DeviceDesktop",
    "monitor": "DeviceMonitor",
    "smartphone": "DeviceSmartphone",
    "tablet": "DeviceTablet",
    "television": "DeviceTelevision",
    "box": "DeviceBox",
    "usb_stick": "DeviceUsbStick",
    "external_ssd": "DeviceExternalSSD",
    "external_hdd": "DeviceExternalHDD",
}


def dataset_version() -> str:
    """The installed boaviztapi version, named in every source."""
    try:
        return version("boaviztapi")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "2.5.0"


@dataclass(frozen=True)
class Reference:
    archetype: str
    embodied_kgco2e: float
    embodied_min_kgco2e: float
    embodied_max_kgco2e: float
    use_kwh_per_year: float
    use_kwh_min: float
    use_kwh_max: float
    lifetime_years: float
    # How the yearly kWh is worked out: Boavizta's average power (W) × these hours.
    avg_power_w: float = 0.0
    use_hours_per_year: float = 0.0
    working_hours: bool = False

    @property
    def source(self) -> str:
        """A citation, the same in every language (names of data sets and versions): the
        item page explains in the reader's language how the figures are worked out."""
        return self.citation()

    def citation(self, phase: str | None = None) -> str:
        """The source, or the source of one phase's figure ("embedded", "use": Boavizta's
        words) when the item's other figure comes from elsewhere."""
        part = f", {phase}" if phase else ""
        return (
            f"Boavizta API {dataset_version()} (boaviztapi, {self.archetype}{part}); "
            "ADEME Base Impacts / NegaOctet"
        )

    def cited_in(self, source: str) -> tuple[set[str], str]:
        """The phases ("embedded", "use") `source` already credits to this reference (its
        whole citation credits both), and what is left of `source` without them: the
        citations a save added, read back when the source is saved again."""
        whole = re.escape(self.citation()).replace(r"\)", r"(?:, (embedded|use))?\)", 1)
        phases, others = set(), []
        for n, part in enumerate(re.split(whole, source or "")):
            if n % 2:  # a phase named by a citation (None: the whole citation)
                phases |= {part} if part else {"embedded", "use"}
            elif part.strip("; "):
                others.append(part.strip("; "))
        return phases, "; ".join(others)


def device_use_hours() -> int:
    """The hours a year an office device is used (`DEVICE_USE_HOURS_PER_YEAR`), the
    default outside an application."""
    if has_app_context():
        return current_app.config.get("DEVICE_USE_HOURS_PER_YEAR", DEFAULT_USE_HOURS_PER_YEAR)
    return DEFAULT_USE_HOURS_PER_YEAR


def archetype_reference(archetype_id: str, use_hours: int | None = None) -> Reference:
    """Embodied kgCO2e (with range), yearly kWh and lifetime of a boaviztapi archetype,
    an office device's kWh worked out over `use_hours` (the setting when None)."""
    return _archetype_reference(archetype_id, use_hours or device_use_hours())


@cache
def _archetype_reference(archetype_id: str, use_hours: int) -> Reference:
    from boaviztapi.compute.impacts_computation import compute_impacts
    from boaviztapi.data.archetype import get_user_terminal_archetype
    from boaviztapi.models.device import userTerminal

    archetype = get_user_terminal_archetype(archetype_id)
    if not archetype:
        raise KeyError(archetype_id)
    device_type = archetype["device_type"]["default"]
    device_class = getattr(userTerminal, ARCHETYPE_CLASSES[device_type])
    device = device_class(archetype=archetype)
    lifetime_hours = device.usage.hours_life_time.value
    impacts = compute_impacts(device, selected_criteria=["gwp"], duration=lifetime_hours)
    embedded = impacts["gwp"]["embedded"]
    usage = device.usage
    working_hours = device_type in WORKING_HOURS_DEVICE_TYPES
    ratio = usage.use_time_ratio

    def hours(ratio_value: float) -> float:
        return use_hours if working_hours else ratio_value * HOURS_PER_YEAR

    def kwh(power: float, ratio_value: float) -> float:
        return round(power * hours(ratio_value) / 1000, 2)

    return Reference(
        archetype=archetype_id,
        embodied_kgco2e=float(embedded["value"]),
        embodied_min_kgco2e=float(embedded["min"]),
        embodied_max_kgco2e=float(embedded["max"]),
        use_kwh_per_year=kwh(usage.avg_power.value, ratio.value),
        use_kwh_min=kwh(usage.avg_power.min, ratio.min),
        use_kwh_max=kwh(usage.avg_power.max, ratio.max),
        lifetime_years=round(lifetime_hours / HOURS_PER_YEAR, 1),
        avg_power_w=float(usage.avg_power.value),
        use_hours_per_year=float(hours(ratio.value)),
        working_hours=working_hours,
    )


def category_reference(category: str) -> Reference | None:
    """The reference archetype of an equipment category, None when boaviztapi has none."""
    archetype = CATEGORY_ARCHETYPES.get(category)
    return archetype_reference(archetype) if archetype else None
