"""The runtime engine derived from metadata: storage, records, security, API and web."""
