"""HTTP routes of the face domain."""

from fastapi import APIRouter

router = APIRouter()
