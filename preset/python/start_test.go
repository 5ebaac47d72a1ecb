package python

import (
	"fmt"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/plan"
)

// TestAppObjects: without a console script, a FastAPI or Flask app a
// module creates starts on the server the release ships, and its package
// is what the release takes.
func TestAppObjects(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		cmd     []string
		outputs []string
		from    string
		hint    string
	}{
		{name: "FastAPI in a package's main.py, uvicorn pinned",
			files: map[string]string{"requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n", "api/__init__.py": "", "api/main.py": "from fastapi import FastAPI\n\napp = FastAPI(title=\"orders\")\n"},
			cmd:   []string{"uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000"}, outputs: []string{"api"},
			from: "api/main.py creates the FastAPI app app, served by uvicorn (a production dependency)"},
		{name: "FastAPI in a src layout",
			files: map[string]string{"requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n", "src/orders/__init__.py": "", "src/orders/app.py": "import fastapi\napplication: fastapi.FastAPI = fastapi.FastAPI()\n"},
			cmd:   []string{"uvicorn", "orders.app:application", "--host", "0.0.0.0", "--port", "8000"}, outputs: []string{"src/orders"}},
		{name: "Flask in a root module, gunicorn pinned",
			files: map[string]string{"requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return 'hi'\n"},
			cmd:   []string{"gunicorn", "--bind", "0.0.0.0:8000", "app:app"}, outputs: []string{"app.py"},
			from: "app.py creates the Flask app app, served by gunicorn (a production dependency)"},
		{name: "a Flask app factory",
			files: map[string]string{"requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n", "shop/__init__.py": "from flask import Flask\n\ndef create_app(config=None):\n    app = Flask(__name__)\n    return app\n"},
			cmd:   []string{"gunicorn", "--bind", "0.0.0.0:8000", "shop:create_app()"}, outputs: []string{"shop"},
			from: "shop/__init__.py has the Flask app factory create_app(), served by gunicorn (a production dependency)"},
		{name: "no server shipped",
			files:   map[string]string{"requirements.txt": "flask==3.1.0\n", "requirements-dev.txt": "gunicorn==23.0.0\n", "app.py": "import flask\napp = flask.Flask(__name__)\n"},
			outputs: []string{"app.py"},
			hint:    `cannot tell how the app starts: app.py creates the Flask app app, but gunicorn is not a production dependency (add gunicorn to requirements.txt, and the preset starts [gunicorn, --bind, "0.0.0.0:8000", app:app]; or set release.cmd)`},
		{name: "an app in a function or a test is not the app",
			files: map[string]string{"requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n", "api/__init__.py": "", "api/main.py": "def build():\n    app = FastAPI()\n", "test_api.py": "app = FastAPI()\n"},
			hint:  `cannot tell how the app starts (no single [project.scripts] entry in pyproject.toml); set release.cmd, e.g. [uvicorn, api.main:app, --host, 0.0.0.0, --port, "8000"]`},
		{name: "several apps",
			files: map[string]string{"requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n", "main.py": "from fastapi import FastAPI\napp = FastAPI()\n", "admin/__init__.py": "", "admin/app.py": "from fastapi import FastAPI\nadmin = FastAPI()\n"},
			hint:  `cannot tell how the app starts: several modules create an app (admin.app:admin, main:app) (set release.cmd to serve the one to release, e.g. [uvicorn, admin.app:admin, --host, 0.0.0.0, --port, "8000"])`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, warnings, err := fill(t, "", tc.files, slim)
			assert.NilError(t, err)
			if tc.hint != "" {
				assert.Check(t, !p.Release.Cmd.Set())
				var msgs []string
				for _, w := range warnings {
					msgs = append(msgs, w.Msg)
				}
				assert.Check(t, is.Contains(msgs, tc.hint), "%s", strings.Join(msgs, "\n"))
			} else {
				assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, tc.cmd))
				assert.Check(t, is.DeepEqual(plan.Values(p.Release.Expose), []string{"8000"}))
				assert.Check(t, !strings.Contains(fmt.Sprint(warnings), "UnknownStartCommand"))
			}
			if tc.from != "" {
				assert.Check(t, is.Equal(p.Release.Cmd.Origin.From, tc.from))
			}
			if tc.outputs != nil {
				assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), tc.outputs))
			}
		})
	}
}

// TestShippedThroughExtras: uvicorn brought by fastapi[standard] (uv.lock,
// poetry.lock) is a production dependency; one only a dev group has is not.
func TestShippedThroughExtras(t *testing.T) {
	pp := `[project]
name = "orders"
version = "0.1.0"
dependencies = ["fastapi[standard]>=0.115"]

[dependency-groups]
dev = ["pytest>=8", "gunicorn"]
`
	lock := `version = 1

[[package]]
name = "orders"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "fastapi", extra = ["standard"] }]

[package.dev-dependencies]
dev = [{ name = "pytest" }, { name = "gunicorn" }]

[package.metadata]
requires-dist = [{ name = "fastapi", extras = ["standard"], specifier = ">=0.115" }]

[package.metadata.requires-dev]
dev = [{ name = "pytest", specifier = ">=8" }, { name = "gunicorn" }]

[[package]]
name = "fastapi"
version = "0.115.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "starlette" }]

[package.optional-dependencies]
standard = [{ name = "uvicorn", extra = ["standard"] }]

[[package]]
name = "starlette"
version = "0.41.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "uvicorn"
version = "0.30.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "gunicorn"
version = "23.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.4"
source = { registry = "https://pypi.org/simple" }
`
	p, _, err := fill(t, "", map[string]string{"pyproject.toml": pp, "uv.lock": lock, "orders/__init__.py": "", "orders/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}, slim)
	assert.NilError(t, err)
	assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"uvicorn", "orders.main:app", "--host", "0.0.0.0", "--port", "8000"}))

	// poetry: flask's extra brings nothing, gunicorn is in the dev group
	poetryPP := `[tool.poetry]
name = "notes"

[tool.poetry.dependencies]
python = "^3.11"
flask = { version = "^3.0", extras = ["async"] }

[tool.poetry.group.dev.dependencies]
gunicorn = "^23"
`
	poetryLock := `[[package]]
name = "flask"
version = "3.1.0"

[package.dependencies]
werkzeug = ">=3.1"
asgiref = { version = ">=3.2", optional = true }

[package.extras]
async = ["asgiref (>=3.2)"]

[[package]]
name = "werkzeug"
version = "3.1.3"

[[package]]
name = "asgiref"
version = "3.8.1"

[[package]]
name = "gunicorn"
version = "23.0.0"

[metadata]
lock-version = "2.1"
`
	pl, err := parsePoetryLock([]byte(poetryLock))
	assert.NilError(t, err)
	var ppt pyproject
	assert.NilError(t, readTOML([]byte(poetryPP), &ppt))
	shipped := (&filler{poetryLock: pl}).shipped(manager{name: poetry}, &ppt)
	assert.Check(t, is.DeepEqual(sortedKeys(shipped), []string{"asgiref", "flask", "werkzeug"}), "asgiref through flask[async]; gunicorn is the dev group's")
	p, warnings, err := fill(t, "", map[string]string{"pyproject.toml": poetryPP, "poetry.lock": poetryLock, "notes.py": "from flask import Flask\napp = Flask(__name__)\n"}, slim)
	assert.NilError(t, err)
	assert.Check(t, !p.Release.Cmd.Set())
	assert.Check(t, is.Contains(fmt.Sprint(warnings), "but gunicorn is not a production dependency (poetry add gunicorn"))
}
