"""The one route table: every domain's router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from campusguard.accounts.api import router as accounts
from campusguard.alarm.api import router as alarm
from campusguard.assessment.api import router as assessment
from campusguard.bulletin.api import router as bulletin
from campusguard.bus.hub import router as events
from campusguard.device.api import router as device
from campusguard.drill.api import router as drill
from campusguard.face.api import router as face
from campusguard.hazard.api import router as hazard
from campusguard.org.api import router as org
from campusguard.patrol.api import router as patrol
from campusguard.rollout.api import router as rollout
from campusguard.stats.api import router as stats
from campusguard.task.api import router as task
from campusguard.video.api import router as video

api_router = APIRouter(prefix="/api/v1")
for domain_router in (accounts, org, alarm, device, video, face, hazard, patrol, task, bulletin, drill, stats,
                      assessment, rollout, events):
    api_router.include_router(domain_router)
