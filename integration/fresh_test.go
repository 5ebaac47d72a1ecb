package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gotest.tools/v3/assert"
)

// freshDaemon starts a buildkitd with an empty root, as a CI runner has
// on every job: same registry and mirrors as the shared one, nothing in
// its cache. It is stopped, and its root removed, when the test ends.
func freshDaemon(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "stagefile-fresh-")
	assert.NilError(t, err)
	shared, err := os.ReadFile(filepath.Join(repoRoot(t), ".cache", "run", "buildkitd.toml"))
	assert.NilError(t, err)
	sock := filepath.Join(dir, "buildkitd.sock")
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "root = %q\n[grpc]\n  address = [\"unix://%s\"]\n", filepath.Join(dir, "root"), sock)
	// everything after the shared file's grpc section: workers, registries
	rest := string(shared)[strings.Index(string(shared), "[worker.oci]"):]
	cfg.WriteString(rest)
	assert.NilError(t, os.WriteFile(filepath.Join(dir, "buildkitd.toml"), []byte(cfg.String()), 0o644))
	logf, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	assert.NilError(t, err)
	cmd := exec.Command("buildkitd", "--config", filepath.Join(dir, "buildkitd.toml"), "--oci-worker=true", "--containerd-worker=false", "--debug")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	assert.NilError(t, cmd.Start())
	addr := "unix://" + sock
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
		if keep := os.Getenv("STAGEFILE_KEEP_DAEMON_LOGS"); keep != "" {
			log, _ := os.ReadFile(filepath.Join(dir, "buildkitd.log"))
			_ = os.WriteFile(filepath.Join(keep, filepath.Base(dir)+".log"), log, 0o644)
		}
		unmountUnder(dir)
		_ = os.RemoveAll(dir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if exec.Command("buildctl", "--addr", addr, "debug", "workers").Run() == nil {
			return addr
		}
		time.Sleep(200 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "buildkitd.log"))
	t.Fatalf("a fresh buildkitd did not start:\n%s", log)
	return ""
}

// unmountUnder unmounts whatever a stopped daemon left mounted under dir.
func unmountUnder(dir string) {
	dt, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return
	}
	var mounts []string
	for _, line := range strings.Split(string(dt), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			mounts = append(mounts, f[1])
		}
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		_ = syscall.Unmount(mounts[i], syscall.MNT_DETACH)
	}
}

// buildctlOn is buildctl (through "# syntax=") against the daemon at addr.
func buildctlOn(t *testing.T, addr, dir string, args ...string) (string, error) {
	t.Helper()
	base := []string{"--addr", addr, "build", "--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + dir, "--opt", "filename=Stagefile"}
	return run(t, dir, nil, "buildctl", append(base, args...)...)
}
