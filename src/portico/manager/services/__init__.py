"""Domain services: plain Python, no HTTP."""
