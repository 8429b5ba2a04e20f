"""Device types shared by the catalogue (equipment categories) and recycling (returns)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class DeviceType:
    key: str
    label: object  # lazy-translated
    data_bearing: bool  # needs a wipe attestation or a certified wipe when returned


DEVICE_TYPES: dict[str, DeviceType] = {
    d.key: d
    for d in (
        DeviceType("laptop", _l("Laptop"), True),
        DeviceType("desktop", _l("Desktop computer"), True),
        DeviceType("monitor", _l("Monitor"), False),
        DeviceType("smartphone", _l("Smartphone"), True),
        DeviceType("tablet", _l("Tablet"), True),
        DeviceType("printer", _l("Printer"), True),
        DeviceType("accessory", _l("Accessory (keyboard, mouse, headset…)"), False),
    )
}
