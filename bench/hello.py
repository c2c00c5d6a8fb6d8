"""The baseline of bench/load.py: the smallest FastAPI app, one route answering a small JSON object."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict:
    return {"id": "549755885175", "name": "hello", "status": "ACTIVE"}
