"""HTTP routes of the stats domain."""

from fastapi import APIRouter

router = APIRouter()
