"""HTTP routes of the task domain."""

from fastapi import APIRouter

router = APIRouter()
