// Package daemon starts throwaway buildkitd instances with an empty root,
// as a CI runner has on every job: same workers, registries and mirrors
// as the harness's shared daemon (hack/up.sh), nothing in their cache.
// The integration tests and the benchmark use them.
package daemon

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pkg/errors"
)

// Daemon is a running buildkitd.
type Daemon struct {
	Addr string
	dir  string
	cmd  *exec.Cmd
	log  *os.File
}

// Start starts a buildkitd configured like the one sharedToml configures
// (its workers and registries), with its own root and socket under a new
// temporary folder.
func Start(sharedToml string) (*Daemon, error) {
	shared, err := os.ReadFile(sharedToml)
	if err != nil {
		return nil, err
	}
	i := strings.Index(string(shared), "[worker.oci]")
	if i < 0 {
		return nil, errors.Errorf("%s has no [worker.oci] section", sharedToml)
	}
	dir, err := os.MkdirTemp("", "stagefile-fresh-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "buildkitd.sock")
	cfg := fmt.Sprintf("root = %q\n[grpc]\n  address = [\"unix://%s\"]\n", filepath.Join(dir, "root"), sock) + string(shared)[i:]
	if err := os.WriteFile(filepath.Join(dir, "buildkitd.toml"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	if err != nil {
		return nil, err
	}
	d := &Daemon{Addr: "unix://" + sock, dir: dir, log: log}
	d.cmd = exec.Command("buildkitd", "--config", filepath.Join(dir, "buildkitd.toml"), "--oci-worker=true", "--containerd-worker=false")
	d.cmd.Stdout, d.cmd.Stderr = log, log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		d.Stop()
		return nil, errors.Wrap(err, "starting buildkitd")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if exec.Command("buildctl", "--addr", d.Addr, "debug", "workers").Run() == nil {
			return d, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	logs, _ := os.ReadFile(filepath.Join(dir, "buildkitd.log"))
	d.Stop()
	return nil, errors.Errorf("a fresh buildkitd did not start:\n%s", logs)
}

// Stop stops the daemon, unmounts what it left and removes its root.
func (d *Daemon) Stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	d.log.Close()
	unmountUnder(d.dir)
	_ = os.RemoveAll(d.dir)
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
