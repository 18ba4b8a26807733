"""HTTP routes of the patrol domain."""

from fastapi import APIRouter

router = APIRouter()
