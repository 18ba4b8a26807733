"""Event handlers of the video domain: incidents get their evidence clips automatically."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.bus.bus import EventBus
from campusguard.bus.events import Event
from campusguard.core.auth import SYSTEM
from campusguard.video import clips
from campusguard.video.models import Camera, Hold

log = structlog.get_logger(__name__)
PRE_ALARM_S = 30
POST_ALARM_S = 60
INCIDENT_HOLD_S = 15 * 60  # recording around an incident is kept even beyond the clip


def on_alarm_raised(session: Session, event: Event, pre_s: int = PRE_ALARM_S, post_s: int = POST_ALARM_S) -> None:
    """Clip pre/post-alarm video of the incident's cameras and hold the surrounding recording."""
    data = event.model_dump()
    incident_id = data.get("incident_id")
    cameras = data.get("cameras") or []
    if incident_id is None or not cameras:
        return
    raised = data.get("raised_at") or data.get("occurred_at")
    at = raised if isinstance(raised, datetime) else datetime.fromisoformat(str(raised))
    device_ids = [int(c["id"]) for c in cameras if isinstance(c, dict) and str(c.get("id", "")).isdigit()]
    video_cams = session.scalars(select(Camera).where(Camera.device_id.in_(device_ids))).all()
    kind = "drill" if data.get("is_drill") else "incident"
    title = data.get("title") or data.get("alarm_type", "")
    for cam in video_cams:
        session.add(Hold(camera_id=cam.id, start=at - timedelta(seconds=INCIDENT_HOLD_S),
                         end=at + timedelta(seconds=INCIDENT_HOLD_S), reason=f"{kind} {incident_id}",
                         incident_id=int(incident_id), created_by="system", created_at=at))
        clips.create_clip(session, SYSTEM, cam, start=at - timedelta(seconds=pre_s),
                          end=at + timedelta(seconds=post_s),
                          reason=f"{kind} {incident_id}: {title}"[:500],
                          incident_id=int(incident_id))
    log.info("incident clips requested", incident_id=incident_id, cameras=len(video_cams))


def register(bus: EventBus) -> None:
    """Subscribe this domain's handlers to the bus."""
    bus.subscribe("alarm.raised", name="video.incident_clips")(lambda s, e: on_alarm_raised(s, e))
