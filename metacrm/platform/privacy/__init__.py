"""Legal holds, retention runs and personal-data tools (access requests, erasure): docs/data.md."""
