package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// TestDjangoFirstBuild: the Django site of issue 24, from a Stagefile of
// preset, images, a port and the secret its tests need. The UTF-16
// requirements.txt is read (pytest runs), the tests get SECRET_KEY from a
// BuildKit secret, the release starts gunicorn on the settings' WSGI
// module and serves a collected static file, and the secret is in no
// layer of any target and in no image config.
func TestDjangoFirstBuild(t *testing.T) {
	t.Parallel()
	dir := fixture(t, "django-site")
	newSource(t, dir, "shop/views.py")
	secret := fmt.Sprintf("django-insecure-test-%d", unique())
	env := []string{"STAGEFILE_DJANGO_SECRET=" + secret}
	secretArgs := []string{"--secret", "id=django_secret,env=STAGEFILE_DJANGO_SECRET"}
	var all strings.Builder
	for _, target := range []string{"dependencies", "development", "test", "build", "release"} {
		tarPath := filepath.Join(t.TempDir(), "image.tar")
		args := append([]string{"--addr", env0(), "build", "--frontend", "dockerfile.v0", "--local", "context=" + dir, "--local", "dockerfile=" + dir,
			"--opt", "filename=Stagefile", "--progress=plain", "--opt", "target=" + target, "--output", "type=oci,dest=" + tarPath}, secretArgs...)
		out, err := run(t, dir, env, "buildctl", args...)
		assert.NilError(t, err, tail(out, 40))
		// the gate runs the tests for every target: the first one shows them
		all.WriteString(out)
		raw, err := os.ReadFile(tarPath)
		assert.NilError(t, err)
		assert.Check(t, !bytes.Contains(raw, []byte(secret)), "the %s export holds the secret", target)
		img := ociImage(t, tarPath)
		for i, layer := range img.Layers {
			assert.Check(t, !bytes.Contains(layer.Tar, []byte(secret)), "target %s: layer %d holds the secret", target, i)
		}
		for _, e := range img.Config.Config.Env {
			assert.Check(t, !strings.Contains(e, secret), "target %s: the config holds the secret", target)
		}
	}
	assert.Check(t, is.Contains(all.String(), "2 passed"), "pytest ran both tests")
	assert.Check(t, is.Contains(all.String(), "kept running for 3s"), "the start check started gunicorn with its placeholder")

	ref := uniqueRef(t, "django")
	args := append([]string{"--addr", env0(), "build", "--frontend", "dockerfile.v0", "--local", "context=" + dir, "--local", "dockerfile=" + dir,
		"--opt", "filename=Stagefile", "--progress=plain", "--output", pushOutput(ref)}, secretArgs...)
	out, err := run(t, dir, env, "buildctl", args...)
	assert.NilError(t, err, tail(out, 40))
	img := pullImage(t, ref)
	assert.Check(t, is.DeepEqual(img.Config.Config.Cmd, []string{"gunicorn", "--bind", "0.0.0.0:8000", "oc_site.wsgi:application"}))
	files := filesOf(t, img)
	for _, want := range []string{"app/staticfiles/hello.txt", "app/templates/home.html", "app/oc_site/settings.py", "app/shop/views.py"} {
		assert.Check(t, files[want] != nil, "%s missing from the release", want)
	}

	requireDocker(t)
	out, err = run(t, "", dockerEnv(), "docker", "pull", ref)
	assert.NilError(t, err, out)
	name := fmt.Sprintf("stagefile-django-%d", unique())
	out, err = run(t, "", dockerEnv(), "docker", "run", "-d", "--name", name, "--network", "host", "-e", "SECRET_KEY=run-time-key", ref)
	assert.NilError(t, err, out)
	defer run(t, "", dockerEnv(), "docker", "rm", "-f", name)
	get := func(path string) string {
		var last error
		for range 120 {
			resp, err := http.Get("http://127.0.0.1:8000" + path)
			if err == nil {
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				assert.Check(t, is.Equal(resp.StatusCode, http.StatusOK), "%s: %s", path, body)
				return string(body)
			}
			last = err
			time.Sleep(250 * time.Millisecond)
		}
		logs, _ := run(t, "", dockerEnv(), "docker", "logs", name)
		t.Fatalf("%s never answered: %v\n%s", path, last, logs)
		return ""
	}
	assert.Check(t, is.Contains(get("/"), "Welcome to lettings"))
	assert.Check(t, is.Contains(get("/static/hello.txt"), "served by whitenoise"))
}

// env0 is the daemon's address.
func env0() string { return env.buildkit }
