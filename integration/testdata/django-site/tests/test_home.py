import os


def test_the_secret_key_is_the_builds_secret():
    # the secret reaches the test step as a variable, never a layer
    assert os.environ["SECRET_KEY"].startswith("django-insecure-test-")


def test_home(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Welcome to lettings" in response.content
