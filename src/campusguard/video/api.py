"""HTTP routes of the video domain."""

from fastapi import APIRouter

router = APIRouter()
