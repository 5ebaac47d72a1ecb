"""The worker's jobs."""

import time


def heartbeat() -> str:
    line = f"worker alive at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"
    print(line, flush=True)
    return line
