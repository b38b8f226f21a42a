"""WSGI entry point for production: ``gunicorn wsgi:app``."""

from metacrm.app import create_app

app = create_app()
