"""HTTP routes of the bulletin domain."""

from fastapi import APIRouter

router = APIRouter()
