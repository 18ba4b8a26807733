"""HTTP routes of the drill domain."""

from fastapi import APIRouter

router = APIRouter()
