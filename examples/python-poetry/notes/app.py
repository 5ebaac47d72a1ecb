"""Notes kept in memory: a health endpoint, put and get."""

from flask import Flask, request

app = Flask(__name__)
notes: dict[str, str] = {}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.put("/notes/<name>")
def put_note(name: str) -> tuple[str, int]:
    notes[name] = request.get_data(as_text=True)
    return "", 201


@app.get("/notes/<name>")
def get_note(name: str) -> tuple[str, int]:
    if name not in notes:
        return "not found", 404
    return notes[name], 200
