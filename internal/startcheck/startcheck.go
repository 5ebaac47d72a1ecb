// Package startcheck is release.check's program: run inside the build, in
// the release's own file system, as its user, with its environment and no
// network, it starts the app as the image would and says whether it kept
// running (and its healthcheck passed). The frontend binary carries it
// (stagefile check-release), so the check needs no image of its own and
// runs on any release, distroless ones included.
package startcheck

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Command is the frontend binary's subcommand that runs the check.
const Command = "check-release"

// Args are the check's arguments for the app argv.
func Args(wait time.Duration, h *Health, argv []string) []string {
	args := []string{Command, "--wait", wait.String()}
	if h != nil && len(h.Test) > 0 {
		dt, _ := json.Marshal(h.Test) // strings: cannot fail
		args = append(args, "--health", string(dt), "--health-interval", h.Interval.String(),
			"--health-timeout", h.Timeout.String(), "--health-start", h.StartPeriod.String(), "--health-retries", fmt.Sprint(h.Retries))
	}
	return append(append(args, "--"), argv...)
}

// Is says whether a step's args are a start check's (Args behind the
// frontend's binary).
func Is(args []string) bool {
	return len(args) > 1 && path.Base(args[0]) == "stagefile" && args[1] == Command
}

// Health is the release's healthcheck, with the runtime's defaults filled.
type Health struct {
	Test                           []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// tailLines is how much of the app's output a failure shows.
const tailLines = 40

// Run runs the check; its exit code is the check's verdict.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(Command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	wait := fs.Duration("wait", 3*time.Second, "how long the app must keep running")
	healthJSON := fs.String("health", "", "the healthcheck's test, as the image config has it (JSON)")
	interval := fs.Duration("health-interval", time.Second, "between healthchecks")
	timeout := fs.Duration("health-timeout", 5*time.Second, "of one healthcheck")
	startPeriod := fs.Duration("health-start", 0, "the healthcheck's start period")
	retries := fs.Int("health-retries", 3, "failed healthchecks after the start period that make the app unhealthy")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	argv := fs.Args()
	if len(argv) == 0 {
		fmt.Fprintln(stderr, "release.check: the release has no command to start (set release.cmd, or release.check: false)")
		return 1
	}
	var health []string
	if *healthJSON != "" {
		if err := json.Unmarshal([]byte(*healthJSON), &health); err != nil {
			fmt.Fprintf(stderr, "release.check: the healthcheck %q is not a JSON list: %v\n", *healthJSON, err)
			return 2
		}
	}

	out := &ring{max: 64 << 10, tee: stdout}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "release.check: the release could not start %s: %v (the command is release.entrypoint followed by release.cmd, found on the release's PATH)\n", quote(argv), err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "release.check: "+format+"\n", a...)
		if tail := out.tail(tailLines); tail != "" {
			fmt.Fprintf(stderr, "its last output:\n%s\n", tail)
		} else {
			fmt.Fprintln(stderr, "it printed nothing")
		}
		if hint := hint(out.String()); hint != "" {
			fmt.Fprintln(stderr, hint)
		}
		return 1
	}

	// as a container runtime judges it: the start period, then retries
	// checks an interval apart
	deadline := *wait
	if d := *startPeriod + time.Duration(*retries)*(*interval) + *timeout; len(health) > 0 && d > deadline {
		deadline = d
	}
	timer := time.NewTimer(*wait)
	defer timer.Stop()
	ticks := make(<-chan time.Time)
	var healthy bool
	if len(health) > 0 {
		t := time.NewTicker(*interval)
		defer t.Stop()
		ticks = t.C
	}
	giveUp := time.After(deadline)
	waited := false
	for {
		select {
		case err := <-exited:
			return fail("%s exited after %.1fs (%s), before the %s it must keep running: the image would not serve (%s)",
				quote(argv), time.Since(start).Seconds(), exitStatus(err), *wait, "release.check.wait sets how long; release.check: false turns the check off")
		case <-timer.C:
			waited = true
			if len(health) == 0 || healthy {
				stop()
				fmt.Fprintf(stdout, "release.check: %s kept running for %s%s\n", quote(argv), *wait, map[bool]string{true: " and its healthcheck passed", false: ""}[healthy])
				return 0
			}
		case <-ticks:
			if runHealth(health, *timeout) {
				healthy = true
				if waited {
					stop()
					fmt.Fprintf(stdout, "release.check: %s kept running and its healthcheck passed after %.1fs\n", quote(argv), time.Since(start).Seconds())
					return 0
				}
			}
		case <-giveUp:
			stop()
			return fail("%s kept running, but its healthcheck %s never passed in %s", quote(argv), quote(health), deadline)
		}
	}
}

// runHealth runs the healthcheck test once: exec form (CMD) or a shell
// line (CMD-SHELL).
func runHealth(test []string, timeout time.Duration) bool {
	var argv []string
	switch {
	case len(test) > 1 && test[0] == "CMD":
		argv = test[1:]
	case len(test) == 2 && test[0] == "CMD-SHELL":
		argv = []string{"/bin/sh", "-c", test[1]}
	case len(test) > 0 && test[0] != "NONE":
		argv = test
	default:
		return true
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return false
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err == nil
	case <-time.After(timeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return false
	}
}

func exitStatus(err error) string {
	if err == nil {
		return "exit code 0"
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + ws.Signal().String()
		}
		return fmt.Sprintf("exit code %d", ee.ExitCode())
	}
	return err.Error()
}

// hint says what the output suggests the Stagefile lacks.
func hint(output string) string {
	o := strings.ToLower(output)
	switch {
	case strings.Contains(o, "eacces") || strings.Contains(o, "permission denied") || strings.Contains(o, "read-only file system"):
		return "the app writes where its user may not: list the folder it writes under release.writable (e.g. writable: [logs])"
	case strings.Contains(o, "eaddrinuse") || strings.Contains(o, "address already in use"):
		return "the port is taken: does the app start two servers on one port?"
	case strings.Contains(o, "not set") || strings.Contains(o, "missing") || strings.Contains(o, "required") ||
		strings.Contains(o, "keyerror") || strings.Contains(o, "undefined") || strings.Contains(o, "environment variable"):
		return "it looks like a missing setting: give the check a placeholder under release.check.env (e.g. env: {DATABASE_URL: postgres://check@localhost/check}); it reaches no image"
	case strings.Contains(o, "getaddrinfo") || strings.Contains(o, "econnrefused") || strings.Contains(o, "connection refused") || strings.Contains(o, "name resolution"):
		return "the app connects to something at start, and the check has no network: make the connection lazy, or release.check: false"
	}
	return ""
}

func quote(argv []string) string {
	dt, _ := json.Marshal(argv)
	return string(dt)
}

// ring keeps the last max bytes written, and copies them to tee.
type ring struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
	tee io.Writer
}

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tee != nil {
		_, _ = r.tee.Write(p)
	}
	r.buf.Write(p)
	if over := r.buf.Len() - r.max; over > 0 {
		r.buf.Next(over)
	}
	return len(p), nil
}

func (r *ring) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

func (r *ring) tail(n int) string {
	lines := strings.Split(strings.TrimRight(r.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
