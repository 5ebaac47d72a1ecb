from greeter import app, native


def test_health():
    assert app.test_client().get("/health").get_json() == {"status": "ok"}


def test_greet_escapes():
    body = app.test_client().get("/greet/<ana>").get_data(as_text=True)
    assert body == "<p>Hello, &lt;ana&gt;!</p>"


def test_markupsafe_is_compiled():
    assert native()
