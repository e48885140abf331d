package devcluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/homelab-tf/terraform-provider-homelab/internal/proctree"
)

// process is a child process of the test ground (kube-controller-manager,
// ArgoCD's controller and repo server). It leads its own process group, so
// that stopping it also stops whatever it started (the repo server runs git
// and helm), and its output goes to a log file whose tail explains a failed
// start.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
}

// startProcess starts bin with args and env (added to a minimal copy of
// this process's environment) in its own process group, logging to
// <logDir>/<name>.log.
func startProcess(name, bin string, args, env []string, logDir string) (*process, error) {
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = processAttrs()
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s (%s): %w", name, bin, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace, and
// waits until the process has exited and its group is empty.
func (p *process) stop(grace time.Duration) error {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// The leader is gone; children of it (git, helm) may not be yet.
	deadline := time.Now().Add(grace)
	for len(proctree.Group(pgid)) > 0 {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			time.Sleep(100 * time.Millisecond)
			if left := proctree.Group(pgid); len(left) > 0 {
				return fmt.Errorf("%s: processes %v of its group survived SIGKILL", p.name, left)
			}
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// pgid is the process group the process leads.
func (p *process) pgid() int { return p.cmd.Process.Pid }

// logTail is the end of the process's log, to explain a failed start.
func (p *process) logTail() string {
	data, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	const max = 3000
	if len(data) > max {
		data = data[len(data)-max:]
	}
	return strings.TrimSpace(string(data))
}

// failure wraps err with the process's log tail and where the whole log is.
func (p *process) failure(err error) error {
	state := "running"
	if p.exited() {
		state = fmt.Sprintf("exited: %v", p.err)
	}
	return fmt.Errorf("%s (%s): %w\n--- last lines of %s ---\n%s", p.name, state, err, p.log, p.logTail())
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before ours listens; the start then fails and says so.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		_ = l.Close()
		return 0, fmt.Errorf("listening on 127.0.0.1 gave a %T address", l.Addr())
	}
	return addr.Port, l.Close()
}

// waitHealthy polls url until it answers 200, the process exits, or
// timeout passes. TLS certificates are not checked: the components serve
// self-signed ones on the loopback.
func waitHealthy(ctx context.Context, p *process, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a local component's self-signed certificate
	}}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body := make([]byte, 512)
			n, _ := resp.Body.Read(body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %d: %s", url, resp.StatusCode, bytes.TrimSpace(body[:n]))
		}
		last = err
		if p.exited() {
			return p.failure(errors.New("exited before it was ready"))
		}
		select {
		case <-ctx.Done():
			return p.failure(fmt.Errorf("not ready after %s: %w", timeout, last))
		case <-time.After(200 * time.Millisecond):
		}
	}
}
