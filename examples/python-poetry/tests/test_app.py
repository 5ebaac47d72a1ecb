from notes.app import app


def test_health():
    assert app.test_client().get("/health").get_json() == {"status": "ok"}


def test_put_then_get():
    client = app.test_client()
    assert client.put("/notes/first", data="hello").status_code == 201
    assert client.get("/notes/first").get_data(as_text=True) == "hello"
    assert client.get("/notes/missing").status_code == 404
