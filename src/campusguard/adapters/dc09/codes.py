"""Map Contact ID and SIA event codes onto CampusGuard alarm types, so panels of any make raise incidents."""

from __future__ import annotations

from dataclasses import dataclass

# CampusGuard alarm/event types a DC-09 event may become.
PANIC = "panic"
DURESS = "duress"
INTRUSION = "intrusion"
FIRE = "fire"
MEDICAL = "medical"
TAMPER = "tamper"
HEARTBEAT = "heartbeat"
TEST = "test"
POWER = "power"
BATTERY = "battery"


@dataclass(frozen=True, slots=True)
class Mapped:
    """A platform type with the restore flag the code carries."""

    event_type: str
    restore: bool = False


# Contact ID event codes (SIA DC-05) -> platform type; the qualifier decides restore.
_CID: dict[str, str] = {
    **{str(c): MEDICAL for c in range(100, 103)},  # 100 medical, 101 pendant, 102 fail to report in
    **{str(c): FIRE for c in range(110, 119)},  # 110 fire .. 118 near alarm
    "120": PANIC,  # panic
    "121": DURESS,  # duress
    "122": PANIC,  # silent panic
    "123": PANIC,  # audible panic
    "124": DURESS,  # duress - access granted
    "125": DURESS,  # duress - egress granted
    **{str(c): INTRUSION for c in (130, 131, 132, 133, 134, 135, 136, 138, 139, 140)},
    "137": TAMPER,  # tamper / CP
    "144": TAMPER,  # sensor tamper
    "145": TAMPER,  # expansion module tamper
    "383": TAMPER,  # sensor tamper (supervisory)
    "301": POWER,  # AC loss
    "337": POWER,  # expansion module DC loss
    "302": BATTERY,  # low system battery
    "309": BATTERY,  # battery test failure
    "311": BATTERY,  # battery missing/dead
    "338": BATTERY,  # expansion module low battery
    "384": BATTERY,  # RF low battery
    "601": TEST,  # manual trigger test
    "602": TEST,  # periodic test report
    "603": HEARTBEAT,  # periodic RF transmission
}

# SIA DC-03 two-letter codes -> (platform type, restore).
_SIA: dict[str, Mapped] = {
    "PA": Mapped(PANIC),
    "PH": Mapped(PANIC, True),
    "PR": Mapped(PANIC, True),
    "QA": Mapped(PANIC),  # emergency alarm
    "QH": Mapped(PANIC, True),
    "QR": Mapped(PANIC, True),
    "HA": Mapped(DURESS),  # hold-up / duress
    "HH": Mapped(DURESS, True),
    "HR": Mapped(DURESS, True),
    "FA": Mapped(FIRE),
    "FH": Mapped(FIRE, True),
    "FR": Mapped(FIRE, True),
    "BA": Mapped(INTRUSION),
    "BH": Mapped(INTRUSION, True),
    "BR": Mapped(INTRUSION, True),
    "UA": Mapped(INTRUSION),  # untyped zone alarm
    "UH": Mapped(INTRUSION, True),
    "UR": Mapped(INTRUSION, True),
    "MA": Mapped(MEDICAL),
    "MH": Mapped(MEDICAL, True),
    "MR": Mapped(MEDICAL, True),
    "TA": Mapped(TAMPER),
    "TR": Mapped(TAMPER, True),
    "TH": Mapped(TAMPER, True),
    "AT": Mapped(POWER),  # AC trouble
    "AR": Mapped(POWER, True),
    "YT": Mapped(BATTERY),  # system battery trouble
    "YR": Mapped(BATTERY, True),
    "YM": Mapped(BATTERY),  # system battery missing
    "XT": Mapped(BATTERY),  # transmitter battery trouble
    "XR": Mapped(BATTERY, True),
    "RP": Mapped(TEST),  # automatic test
    "RX": Mapped(TEST),  # manual test
    "RY": Mapped(TEST),  # exit from manual test
}


def map_contact_id(qualifier: str, code: str) -> Mapped | None:
    """Map Contact ID qualifier (1 new, 3 restore, 6 status) and event code; None when unknown."""
    event_type = _CID.get(code)
    if event_type is None or qualifier not in ("1", "3", "6"):
        return None
    return Mapped(event_type, restore=qualifier == "3")


def map_sia(code: str) -> Mapped | None:
    """Map a SIA two-letter event code; None when the platform has no use for it."""
    return _SIA.get(code.upper())
