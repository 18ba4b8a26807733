"""HTTP routes of the assessment domain."""

from fastapi import APIRouter

router = APIRouter()
