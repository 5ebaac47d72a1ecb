from worker.jobs import heartbeat


def test_heartbeat():
    assert heartbeat().startswith("worker alive at ")
