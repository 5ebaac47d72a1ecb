package python

import (
	"errors"
	"testing"

	"github.com/stagefile/stagefile/internal/bounded"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// FuzzPreset: whatever pyproject.toml, lockfile and requirements files a
// build context holds, the preset answers within the fuzz budget with a
// plan or a positioned error; it never panics.
func FuzzPreset(f *testing.F) {
	lockfiles := []string{"uv.lock", "poetry.lock", "requirements.txt"}
	f.Add([]byte(pyprojectUv), []byte(uvLockFile), []byte("3.11\n"), uint8(0))
	f.Add([]byte(pyprojectPoetry), []byte(poetryLockFile), []byte(""), uint8(1))
	f.Add([]byte(""), []byte(requirements), []byte("-r x.txt\n"), uint8(2))
	f.Add([]byte("a = [[[[{b = '''x]]]'''}]]]]\n"), []byte("version = 1\n[[package]]\nsource = { virtual = \".\" }\n"), []byte("cpython-3.99"), uint8(0))
	f.Fuzz(func(t *testing.T, pyproject, lock, extra []byte, which uint8) {
		files := map[string][]byte{
			"pyproject.toml":        pyproject,
			lockfiles[int(which)%3]: lock,
			"requirements-dev.txt":  extra,
			".python-version":       extra,
			"api/__init__.py":       nil,
		}
		p := &plan.Plan{File: "Stagefile", Workdir: plan.Value[string]{Value: "/app", Origin: plan.Origin{Kind: plan.Default}},
			Preset: plan.Value[string]{Value: "python", Origin: plan.Origin{Kind: plan.Stagefile}},
			App:    plan.Value[string]{Value: ".", Origin: plan.Origin{Kind: plan.Default}}}
		var err error
		bounded.Run(t, bounded.Fuzz, func() { _, err = Provider{}.Fill(p, &plan.Facts{Files: files, Image: slim}) })
		var list spec.Errors
		if err != nil && !errors.As(err, &list) {
			t.Fatalf("unpositioned error %T: %v", err, err)
		}
		if err == nil {
			if err := plan.Check(p, false, plan.Ecosystems{Provider{}.Ecosystem()}); err != nil && !errors.As(err, &list) {
				t.Fatalf("unpositioned error %T: %v", err, err)
			}
		}
	})
}

// FuzzWorkspace: whatever the root pyproject.toml, a member's and uv.lock
// say, an app of a workspace gets a plan or a positioned error.
func FuzzWorkspace(f *testing.F) {
	f.Add([]byte(wsPyprojects["pyproject.toml"]), []byte(wsPyprojects["packages/shared/pyproject.toml"]), []byte(wsLock))
	f.Add([]byte("[tool.uv.workspace]\nmembers = [\"../*\", \"packages/**\"]\n"), []byte("[project]\nname = \"a;b\"\n"), []byte("version = 1\n[[package]]\nname = \"acme-api\"\nsource = { editable = \"packages/api\" }\ndependencies = [{ name = \"acme-api\", extra = [\"x\"] }]\n"))
	f.Fuzz(func(t *testing.T, root, member, lock []byte) {
		files := map[string][]byte{}
		for name, dt := range wsFiles() {
			files[name] = []byte(dt)
		}
		files["pyproject.toml"], files["packages/shared/pyproject.toml"], files["uv.lock"] = root, member, lock
		p := &plan.Plan{File: "Stagefile", Workdir: plan.Value[string]{Value: "/app", Origin: plan.Origin{Kind: plan.Default}},
			Preset: plan.Value[string]{Value: "python", Origin: plan.Origin{Kind: plan.Stagefile}},
			App:    plan.Value[string]{Value: "packages/api", Origin: plan.Origin{Kind: plan.Stagefile}}}
		var err error
		bounded.Run(t, bounded.Fuzz, func() {
			Provider{}.Files(p, files)
			_, err = Provider{}.Fill(p, &plan.Facts{Files: files, Image: slim})
		})
		var list spec.Errors
		if err != nil && !errors.As(err, &list) {
			t.Fatalf("unpositioned error %T: %v", err, err)
		}
		if err == nil {
			if err := plan.Check(p, false, plan.Ecosystems{Provider{}.Ecosystem()}); err != nil && !errors.As(err, &list) {
				t.Fatalf("unpositioned error %T: %v", err, err)
			}
		}
	})
}

// FuzzDjango: whatever manage.py, the settings and a module say, the
// preset reads them within the fuzz budget (regex-level, never running
// them) and answers with a plan or a positioned error.
func FuzzDjango(f *testing.F) {
	f.Add([]byte(managepy), []byte(settingsPy), []byte("from fastapi import FastAPI\napp = FastAPI()\n"))
	f.Add([]byte("os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.b.c')"), []byte("from ..x import *\nfrom .c import *\nSTATIC_ROOT = ((((BASE_DIR / 'x')))) / '..' / '..'\nTEMPLATES = [{'DIRS': [("), []byte("def create_app():\n import flask"))
	f.Add([]byte("DJANGO_SETTINGS_MODULE', 'oc_lettings_site.settings'"), []byte("BASE_DIR = Path(__file__).parents[9]\nX = '''\nINSTALLED_APPS = A + B + ['x'\n"), []byte("\"\"\"\\"))
	f.Fuzz(func(t *testing.T, manage, settings, module []byte) {
		files := map[string][]byte{
			"requirements.txt":             []byte("django==4.2.5\ngunicorn==21.2.0\nuvicorn==0.30.0\n"),
			"manage.py":                    manage,
			"oc_lettings_site/__init__.py": nil,
			"oc_lettings_site/settings.py": settings,
			"oc_lettings_site/wsgi.py":     module,
			"a/b/c.py":                     settings,
			"a/b/__init__.py":              module,
			"main.py":                      module,
			"templates/x.html":             module,
		}
		p := &plan.Plan{File: "Stagefile", Workdir: plan.Value[string]{Value: "/app", Origin: plan.Origin{Kind: plan.Default}},
			Preset: plan.Value[string]{Value: "python", Origin: plan.Origin{Kind: plan.Stagefile}},
			App:    plan.Value[string]{Value: ".", Origin: plan.Origin{Kind: plan.Default}}}
		var err error
		bounded.Run(t, bounded.Fuzz, func() {
			Provider{}.Files(p, files)
			_, err = Provider{}.Fill(p, &plan.Facts{Files: files, Image: slim})
		})
		var list spec.Errors
		if err != nil && !errors.As(err, &list) {
			t.Fatalf("unpositioned error %T: %v", err, err)
		}
		if err == nil {
			if err := plan.Check(p, false, plan.Ecosystems{Provider{}.Ecosystem()}); err != nil && !errors.As(err, &list) {
				t.Fatalf("unpositioned error %T: %v", err, err)
			}
		}
	})
}
