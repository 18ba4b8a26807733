"""HTTP routes of the hazard domain."""

from fastapi import APIRouter

router = APIRouter()
