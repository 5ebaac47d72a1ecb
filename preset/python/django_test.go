package python

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/stagefile/stagefile/internal/contextdir"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// The Django site of issue 24, as a new user has it: a project package
// (oc_lettings_site) whose name is not its first app's (lettings,
// profiles), sqlite, templates/ and static/ at the root, and a pinned
// requirements.txt that mixes dev tools with what runs, saved as UTF-16
// with a BOM and CRLF line ends.

const managepy = `#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oc_lettings_site.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError("Couldn't import Django.") from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
`

const settingsPy = `import os
from pathlib import Path

# Build paths inside the project like this: BASE_DIR / 'subdir'.
BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "fp$9^593hsriajg$_%=5trot9g!1qa@ew(o-1#@=&4%=hp46(s"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "oc_lettings_site.apps.OCLettingsSiteConfig",
    "lettings",
    "profiles",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

ROOT_URLCONF = "oc_lettings_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

WSGI_APPLICATION = "oc_lettings_site.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE_DIR, "oc-lettings-site.sqlite3"),
    }
}

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static",]
STATIC_ROOT = BASE_DIR / "staticfiles"
`

const lettingsReqs = "asgiref==3.7.2\r\nDjango==4.2.5\r\nflake8==6.1.0\r\ngunicorn==21.2.0\r\npytest==7.4.2\r\npytest-django==4.5.2\r\nsqlparse==0.4.4\r\n"

// ocLettings is the site's files; edit changes them.
func ocLettings(edit func(files map[string]string)) map[string]string {
	files := map[string]string{
		"manage.py":                              managepy,
		"requirements.txt":                       utf16(lettingsReqs, false),
		"setup.cfg":                              "[tool:pytest]\nDJANGO_SETTINGS_MODULE = oc_lettings_site.settings\n",
		"oc-lettings-site.sqlite3":               "SQLite format 3\x00",
		"oc_lettings_site/__init__.py":           "",
		"oc_lettings_site/settings.py":           settingsPy,
		"oc_lettings_site/urls.py":               "from django.urls import path\n",
		"oc_lettings_site/wsgi.py":               "import os\nfrom django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
		"oc_lettings_site/asgi.py":               "import os\nfrom django.core.asgi import get_asgi_application\napplication = get_asgi_application()\n",
		"oc_lettings_site/apps.py":               "from django.apps import AppConfig\n",
		"lettings/__init__.py":                   "",
		"lettings/models.py":                     "from django.db import models\n",
		"lettings/templates/lettings/index.html": "{% extends 'base.html' %}\n",
		"profiles/__init__.py":                   "",
		"profiles/models.py":                     "from django.db import models\n",
		"templates/base.html":                    "<!doctype html>\n",
		"templates/index.html":                   "{% extends 'base.html' %}\n",
		"static/css/styles.css":                  "body { margin: 0 }\n",
		"static/img/logo.png":                    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
		"tests/__init__.py":                      "",
		"tests/test_views.py":                    "def test_index(client): pass\n",
	}
	if edit != nil {
		edit(files)
	}
	return files
}

// fillDir resolves a Stagefile for files written to a folder and read as
// the CLI reads a build context, wildcards and rounds included.
func fillDir(t *testing.T, stagefile string, files map[string]string) (*plan.Plan, []*plan.Warning, error) {
	t.Helper()
	dir := t.TempDir()
	for name, dt := range files {
		assert.NilError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
		assert.NilError(t, os.WriteFile(filepath.Join(dir, name), []byte(dt), 0o644))
	}
	s, err := spec.Parse("Stagefile", []byte("version: 1\npreset: python\n"+stagefile))
	assert.NilError(t, err)
	r := plan.Resolver{
		Providers: map[string]plan.Provider{"python": Provider{}},
		ReadFiles: func(names []string) (map[string][]byte, error) { return contextdir.ReadFiles(dir, names) },
		Image:     slim,
	}
	return r.Resolve(s)
}

func releaseEnv(p *plan.Plan, name string) string {
	v, _ := plan.Lookup(p.Release.Env, name)
	return v.Value
}

// TestDjango: the site starts on gunicorn with its own WSGI application,
// collects its static files into STATIC_ROOT, and ships its packages, its
// templates and the collected files; pytest, in a UTF-16 requirements.txt,
// runs.
func TestDjango(t *testing.T) {
	p, warnings, err := fillDir(t, "", ocLettings(nil))
	assert.NilError(t, err)
	assert.Check(t, is.Len(warnings, 0), "%v", warnings)
	assert.Check(t, is.Equal(p.Image.Value, "python:3.11-slim-bookworm"), "Django 4.2.5 supports up to 3.11")
	assert.Check(t, is.Equal(cmdScript(p.Test.Run), "python -m pytest"))
	assert.Check(t, is.Equal(cmdScript(p.Build.Run), "python manage.py collectstatic --noinput"))
	assert.Check(t, is.Equal(p.Build.Run.Origin.From, "STATIC_ROOT in oc_lettings_site/settings.py is staticfiles: Django's collectstatic gathers the apps' static files there"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"oc_lettings_site", "lettings", "profiles", "templates", "staticfiles", "manage.py"}))
	var why []string
	for _, o := range p.Build.Outputs {
		why = append(why, o.Origin.From)
	}
	assert.Check(t, is.DeepEqual(why, []string{
		"the project's package: manage.py's settings oc_lettings_site.settings",
		"an app of the project: oc_lettings_site/settings.py INSTALLED_APPS",
		"an app of the project: oc_lettings_site/settings.py INSTALLED_APPS",
		"the templates oc_lettings_site/settings.py TEMPLATES DIRS names",
		"STATIC_ROOT: the static files collectstatic gathered, for the server (whitenoise) to serve",
		"Django's commands, for the release to run (python manage.py migrate)",
	}))
	assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"gunicorn", "--bind", "0.0.0.0:8000", "oc_lettings_site.wsgi:application"}))
	assert.Check(t, is.Equal(p.Release.Cmd.Origin.From, "oc_lettings_site/settings.py WSGI_APPLICATION oc_lettings_site.wsgi.application, served by gunicorn (a production dependency)"))
	assert.Check(t, is.DeepEqual(plan.Values(p.Release.Expose), []string{"8000"}))
	assert.Check(t, is.Equal(releaseEnv(p, "DJANGO_SETTINGS_MODULE"), "oc_lettings_site.settings"))
	_, inBuild := plan.Lookup(p.Env, "DJANGO_SETTINGS_MODULE")
	assert.Check(t, !inBuild, "pytest-django reads setup.cfg's; the environment would win over it")
}

// TestDjangoVariants: what the settings say decides, and a suggestion
// names only what is there.
func TestDjangoVariants(t *testing.T) {
	t.Run("no STATIC_ROOT: the static folder ships, nothing is collected", func(t *testing.T) {
		p, _, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["oc_lettings_site/settings.py"] = strings.Replace(settingsPy, `STATIC_ROOT = BASE_DIR / "staticfiles"`, "", 1)
		}))
		assert.NilError(t, err)
		assert.Check(t, p.Build.Run == nil)
		assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"oc_lettings_site", "lettings", "profiles", "templates", "static", "manage.py"}))
		assert.Check(t, is.Equal(p.Build.Outputs[4].Origin.From, "the static files oc_lettings_site/settings.py STATICFILES_DIRS names"))
	})
	t.Run("STATIC_ROOT from the environment: not collected", func(t *testing.T) {
		p, _, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["oc_lettings_site/settings.py"] = strings.Replace(settingsPy, `STATIC_ROOT = BASE_DIR / "staticfiles"`, `STATIC_ROOT = os.environ.get("STATIC_ROOT", "/var/www/static")`, 1)
		}))
		assert.NilError(t, err)
		assert.Check(t, p.Build.Run == nil)
		assert.Check(t, is.Contains(plan.Values(p.Build.Outputs), "static"))
	})
	t.Run("gunicorn only among the dev tools: what to add", func(t *testing.T) {
		_, warnings, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["requirements.txt"] = "Django==4.2.5\n"
			files["requirements-dev.txt"] = "-r requirements.txt\ngunicorn==21.2.0\npytest-django==4.5.2\n"
		}))
		assert.NilError(t, err)
		assert.Check(t, is.DeepEqual(rules(warnings), []string{"UnknownStartCommand"}))
		assert.Check(t, is.Equal(warnings[0].Msg, `cannot tell how the app starts: oc_lettings_site/settings.py WSGI_APPLICATION oc_lettings_site.wsgi.application, but no WSGI server is a production dependency (add gunicorn to requirements.txt, and the preset starts [gunicorn, --bind, "0.0.0.0:8000", oc_lettings_site.wsgi:application]; or set release.cmd)`))
	})
	t.Run("WSGI_APPLICATION naming a module that is not there", func(t *testing.T) {
		_, warnings, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			delete(files, "oc_lettings_site/wsgi.py")
		}))
		assert.NilError(t, err)
		assert.Check(t, is.Contains(fmt.Sprint(warnings), `oc_lettings_site/settings.py WSGI_APPLICATION names oc_lettings_site.wsgi.application, whose module is not in the build context (set release.cmd to a WSGI server on the project's application, e.g. [gunicorn, --bind, "0.0.0.0:8000", <package>.wsgi:application])`))
	})
	t.Run("no WSGI_APPLICATION: the project's wsgi.py", func(t *testing.T) {
		p, _, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["oc_lettings_site/settings.py"] = strings.Replace(settingsPy, `WSGI_APPLICATION = "oc_lettings_site.wsgi.application"`, "", 1)
		}))
		assert.NilError(t, err)
		assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"gunicorn", "--bind", "0.0.0.0:8000", "oc_lettings_site.wsgi:application"}))
		assert.Check(t, is.Equal(p.Release.Cmd.Origin.From, "oc_lettings_site.wsgi, the project's WSGI module (WSGI_APPLICATION is not set), served by gunicorn (a production dependency)"))
	})
	t.Run("ASGI_APPLICATION (Channels) on daphne", func(t *testing.T) {
		p, _, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["requirements.txt"] = lettingsReqs + "daphne==4.0.0\r\nchannels==4.0.0\r\n"
			files["oc_lettings_site/settings.py"] = settingsPy + "ASGI_APPLICATION = 'oc_lettings_site.asgi.application'\n"
		}))
		assert.NilError(t, err)
		assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"daphne", "--bind", "0.0.0.0", "--port", "8000", "oc_lettings_site.asgi:application"}))
	})
	t.Run("uvicorn and no gunicorn: asgi.py", func(t *testing.T) {
		p, _, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["requirements.txt"] = strings.Replace(lettingsReqs, "gunicorn==21.2.0", "uvicorn==0.23.2", 1)
		}))
		assert.NilError(t, err)
		assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"uvicorn", "oc_lettings_site.asgi:application", "--host", "0.0.0.0", "--port", "8000"}))
		assert.Check(t, is.Contains(p.Release.Cmd.Origin.From, "served by uvicorn (a production dependency; gunicorn is not)"))
	})
	t.Run("split settings: config.settings.production star-imports base", func(t *testing.T) {
		p, _, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["manage.py"] = strings.Replace(managepy, "oc_lettings_site.settings", "config.settings.production", 1)
			delete(files, "oc_lettings_site/settings.py")
			files["config/__init__.py"] = ""
			files["config/wsgi.py"] = "application = None\n"
			files["config/settings/__init__.py"] = ""
			files["config/settings/base.py"] = strings.NewReplacer(
				"parent.parent", "parent.parent.parent",
				`"oc_lettings_site.apps.OCLettingsSiteConfig",`, "",
				`WSGI_APPLICATION = "oc_lettings_site.wsgi.application"`, `WSGI_APPLICATION = "config.wsgi.application"`,
				`STATIC_ROOT = BASE_DIR / "staticfiles"`, `STATIC_ROOT = None`,
			).Replace(settingsPy)
			files["config/settings/production.py"] = "from .base import *  # noqa\n\nDEBUG = False\nSTATIC_ROOT = str(BASE_DIR / 'public' / 'static')\nif DEBUG:\n    STATIC_ROOT = 'nope'\n"
		}))
		assert.NilError(t, err)
		assert.Check(t, is.Equal(cmdScript(p.Build.Run), "python manage.py collectstatic --noinput"))
		assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"config", "lettings", "oc_lettings_site", "profiles", "templates", "public/static", "manage.py"}))
		assert.Check(t, is.Equal(p.Build.Outputs[2].Origin.From, "a package at the root, which the project's apps may import"))
		assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application"}))
		assert.Check(t, is.Equal(releaseEnv(p, "DJANGO_SETTINGS_MODULE"), "config.settings.production"))
	})
	t.Run("written outputs and cmd win", func(t *testing.T) {
		p, _, err := fillDir(t, "build:\n  outputs: [oc_lettings_site]\nrelease:\n  cmd: [gunicorn, oc_lettings_site.wsgi]\n", ocLettings(nil))
		assert.NilError(t, err)
		assert.Check(t, is.DeepEqual(plan.Values(p.Build.Outputs), []string{"oc_lettings_site"}))
		assert.Check(t, is.DeepEqual(p.Release.Cmd.Value, []string{"gunicorn", "oc_lettings_site.wsgi"}))
		assert.Check(t, p.Release.Expose == nil)
		assert.Check(t, is.Equal(cmdScript(p.Build.Run), "python manage.py collectstatic --noinput"), "the build step is still the preset's")
	})
	t.Run("django only in the tests' requirements is no Django project", func(t *testing.T) {
		_, warnings, err := fillDir(t, "", ocLettings(func(files map[string]string) {
			files["requirements.txt"] = "gunicorn==21.2.0\n"
			files["requirements-dev.txt"] = "Django==4.2.5\npytest==7.4.2\n"
		}))
		assert.NilError(t, err)
		assert.Check(t, is.Contains(rules(warnings), "UnknownStartCommand"))
	})
}

// TestSettingsValues: the path forms settings files use.
func TestSettingsValues(t *testing.T) {
	vars := map[string]string{"BASE_DIR": "."}
	for expr, want := range map[string]string{
		`Path(__file__).resolve().parent.parent`:                      ".",
		`Path(__file__).resolve(strict=True).parents[1]`:              ".",
		`os.path.dirname(os.path.dirname(os.path.abspath(__file__)))`: ".",
		`os.path.dirname(os.path.realpath(__file__))`:                 "site",
		`Path(__file__).parent`:                                       "site",
		`BASE_DIR / "static" / 'root'`:                                "static/root",
		`os.path.join(BASE_DIR, "staticfiles")`:                       "staticfiles",
		`str(BASE_DIR.joinpath("assets"))`:                            "assets",
		`Path(BASE_DIR, "x")`:                                         "x",
		`"collected"`:                                                 "collected",
		`(BASE_DIR / "a")`:                                            "a",
		`Path(__file__).resolve().parent.parent.parent`:               "!",
		`"/var/www/static"`:                                           "!",
		`BASE_DIR / ".." / "out"`:                                     "!",
		`os.environ["STATIC_ROOT"]`:                                   "!",
		`BASE_DIR / f"static-{VERSION}"`:                              "!",
		`OTHER / "x"`:                                                 "!",
	} {
		got, ok := pathValue(expr, "site/settings.py", vars)
		if !ok {
			got = "!"
		}
		assert.Check(t, is.Equal(got, want), expr)
	}
	assert.Check(t, is.Equal(resolveImport("config.settings.production", "config/settings/production.py", ".base"), "config.settings.base"))
	assert.Check(t, is.Equal(resolveImport("config.settings", "config/settings/__init__.py", ".base"), "config.settings.base"))
	assert.Check(t, is.Equal(resolveImport("config.settings", "config/settings.py", "..common"), ""), "above the top package")
	assert.Check(t, is.Equal(resolveImport("a.b.c", "a/b/c.py", "..x"), "a.x"))
	st := statements("A = [\n  'x',  # ]\n  \"y\"]\nif B:\n    C = 1\nD = '''\nE = 2\n'''\nF = 1 \\\n  + 2\n")
	assert.Check(t, is.DeepEqual(st, []string{"A = [\n  'x',  \n  \"y\"]", "if B:", "D = '''\nE = 2\n'''", "F = 1   + 2"}))
}
