"""HTTP routes of the alarm domain."""

from fastapi import APIRouter

router = APIRouter()
