"""HTTP routes of the rollout domain."""

from fastapi import APIRouter

router = APIRouter()
