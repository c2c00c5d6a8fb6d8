from fastapi import APIRouter

token_router = APIRouter()
authorize_router = APIRouter()
