"""Runs the worker's jobs on a schedule until SIGTERM."""

import signal
import sys
import time

import schedule

from worker.jobs import heartbeat


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    schedule.every(30).seconds.do(heartbeat)
    heartbeat()
    while True:
        schedule.run_pending()
        time.sleep(1)


if __name__ == "__main__":
    main()
