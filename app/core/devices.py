"""Device types shared by the catalogue (equipment categories) and recycling (returns)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# The certified wipes that fit each kind of storage (keys of recycling's WIPE_METHODS).
# A computer's drive is overwritten or crypto-erased; a phone, a tablet or a printer is
# reset to its factory settings (their own erase); destroying the storage fits any
# device that holds data.
COMPUTER_WIPES = ("software_overwrite", "crypto_erase", "physical_destruction")
APPLIANCE_WIPES = ("factory_reset", "physical_destruction")


@dataclass(frozen=True)
class DeviceType:
    key: str
    label: object  # lazy-translated
    data_bearing: bool  # needs a wipe attestation or a certified wipe when returned
    wipe_methods: tuple[str, ...] = ()  # the certified wipes an agent may record for it


DEVICE_TYPES: dict[str, DeviceType] = {
    d.key: d
    for d in (
        DeviceType("laptop", _l("Laptop"), True, COMPUTER_WIPES),
        DeviceType("desktop", _l("Desktop computer"), True, COMPUTER_WIPES),
        DeviceType("monitor", _l("Monitor"), False),
        DeviceType("smartphone", _l("Smartphone"), True, APPLIANCE_WIPES),
        DeviceType("tablet", _l("Tablet"), True, APPLIANCE_WIPES),
        DeviceType("printer", _l("Printer"), True, APPLIANCE_WIPES),
        DeviceType("accessory", _l("Accessory (keyboard, mouse, headset…)"), False),
    )
}
