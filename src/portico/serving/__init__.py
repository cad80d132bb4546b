"""What runs a process: several uvicorn servers in one loop, its HTTP protocol tweaks, the log
writer, background loops, checks and memory settings at start."""
