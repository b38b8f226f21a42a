"""The REST API under /api/v1, generated from metadata; errors as RFC 9457 problem details."""
