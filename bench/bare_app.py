"""The ceiling the ingest benchmark is compared with: a bare Flask app that inserts the posted
JSON document through SQLAlchemy (Core) and answers its id: no authentication, no validation,
no idempotency. Served by ``bench/ingest.py --baseline`` under the same gunicorn settings.
"""
import os

from flask import Flask, jsonify, request
from sqlalchemy import JSON, Column, Integer, MetaData, Table, create_engine

metadata = MetaData()
document = Table("bare_document", metadata, Column("id", Integer, primary_key=True), Column("body", JSON))
app = Flask(__name__)
_engines = []


def engine():
    """The worker's engine, made on first use (importing this module needs no database)."""
    if not _engines:
        _engines.append(create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)))
    return _engines[0]


@app.post("/bare")
def store():
    with engine().begin() as connection:
        new_id = connection.execute(document.insert().returning(document.c.id),
                                    {"body": request.get_json()}).scalar_one()
    response = jsonify(id=new_id)
    response.status_code = 201
    return response


@app.get("/api/health")
def health():
    return jsonify(status="ok")
