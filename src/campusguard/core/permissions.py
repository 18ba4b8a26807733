"""The one permission matrix: roles, what each may do, and which roles each may create."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    city_admin = "city_admin"
    district_police = "district_police"
    liaison_officer = "liaison_officer"
    edu_bureau = "edu_bureau"
    school_admin = "school_admin"
    operator = "operator"
    guard = "guard"
    parent = "parent"
    integrator = "integrator"
    device = "device"  # not a user role: the principal of a device API token


ALL_PERMISSIONS: frozenset[str] = frozenset({
    # foundation
    "org.read", "org.write", "org.import", "device.read", "device.write", "device.token",
    "user.admin", "audit.read", "events.read", "integrator.admin",
    # rapid response
    "alarm.read", "alarm.handle", "alarm.plan.admin", "alarm.handoff.admin", "alarm.drill",
    "device.report",  # devices posting events
    # video
    "video.live", "video.playback", "video.clip", "video.admin", "video.viewers", "video.parent",
    # early warning
    "face.watchlist.admin", "face.roster.admin", "face.search", "face.hits", "face.pass.read",
    "face.visitor", "face.capture",  # face.capture: gate terminals posting captures
    # daily operations
    "hazard.read", "hazard.report", "hazard.assign", "hazard.rectify", "hazard.verify", "hazard.admin",
    "task.read", "task.manage", "task.do", "drill.read", "drill.manage",
    "patrol.read", "patrol.manage", "patrol.checkin", "rollcall.start", "rollcall.answer",
    "bulletin.read", "bulletin.publish", "report.handle", "broadcast.send",
    # data and assessment
    "stats.read", "assessment.read", "assessment.admin", "rollout.read", "rollout.signoff",
})

_READS = {"org.read", "device.read", "alarm.read", "hazard.read", "task.read", "drill.read",
          "patrol.read", "bulletin.read", "stats.read", "assessment.read", "rollout.read", "events.read"}

MATRIX: dict[Role, frozenset[str]] = {
    Role.city_admin: ALL_PERMISSIONS - {"device.report", "face.capture", "patrol.checkin",
                                        "rollcall.answer", "video.parent"},
    Role.district_police: frozenset(_READS | {
        "org.write", "org.import", "device.write", "device.token", "user.admin", "audit.read",
        "alarm.handle", "alarm.plan.admin", "alarm.drill",
        "video.live", "video.playback", "video.clip", "video.admin", "video.viewers",
        "face.watchlist.admin", "face.search", "face.hits", "face.pass.read",
        "hazard.assign", "hazard.verify", "hazard.admin", "task.manage", "task.do", "patrol.manage", "rollcall.start",
        "bulletin.publish", "report.handle", "broadcast.send", "rollout.signoff"}),
    Role.liaison_officer: frozenset(_READS - {"assessment.read"} | {
        "alarm.handle", "video.live", "video.playback", "face.hits", "face.pass.read",
        "hazard.report", "hazard.verify", "task.do", "rollcall.start", "report.handle"}),
    Role.edu_bureau: frozenset(_READS | {"bulletin.publish", "assessment.admin"}),
    Role.school_admin: frozenset(_READS - {"assessment.read"} | {
        "org.write", "org.import", "device.write", "device.token", "user.admin", "audit.read",
        "alarm.handle", "alarm.drill", "video.live", "video.playback", "video.clip", "video.admin",
        "video.viewers", "face.roster.admin", "face.pass.read", "face.visitor",
        "hazard.report", "hazard.assign", "hazard.rectify", "drill.manage", "patrol.manage",
        "report.handle", "broadcast.send"}),
    Role.operator: frozenset({
        "org.read", "device.read", "events.read", "alarm.read", "alarm.handle", "video.live",
        "video.playback", "video.clip", "face.pass.read", "face.visitor", "hazard.read",
        "hazard.report", "patrol.read", "bulletin.read", "drill.read", "broadcast.send"}),
    Role.guard: frozenset({
        "org.read", "events.read", "alarm.read", "hazard.read", "hazard.report", "hazard.rectify",
        "patrol.read", "patrol.checkin", "rollcall.answer", "bulletin.read", "face.visitor"}),
    Role.parent: frozenset({"bulletin.read", "video.parent"}),
    Role.integrator: frozenset({"org.read", "device.read", "alarm.read", "events.read", "stats.read"}),
    Role.device: frozenset({"device.report", "face.capture"}),
}

# Which roles a user administrator of a given role may create (never above their own reach).
CREATABLE: dict[Role, frozenset[Role]] = {
    Role.city_admin: frozenset(Role) - {Role.device},
    Role.district_police: frozenset({Role.district_police, Role.liaison_officer, Role.school_admin,
                                     Role.operator, Role.guard, Role.parent, Role.edu_bureau}),
    Role.school_admin: frozenset({Role.operator, Role.guard, Role.parent}),
}

# Roles whose scope is a region (city or district); the others are scoped to school codes.
REGION_ROLES = frozenset({Role.city_admin, Role.district_police, Role.edu_bureau, Role.integrator})


def permissions_for(role: Role | str) -> frozenset[str]:
    """Permissions granted to a role."""
    return MATRIX.get(Role(role), frozenset())
