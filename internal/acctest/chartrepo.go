package acctest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ChartRepo packages the chart whose files are given (path: content,
// Chart.yaml among them) with helm, and serves it with its index.yaml as a
// Helm repository on the loopback. It returns the repository URL.
func ChartRepo(t testing.TB, helm string, chart map[string]string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "chart")
	for name, content := range chart {
		path := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	// The index names the charts by absolute URL, so the address comes first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	runHelm(t, helm, "package", src, "--destination", out)
	runHelm(t, helm, "repo", "index", out, "--url", url)
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(out)))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return url
}

func runHelm(t testing.TB, helm string, args ...string) {
	t.Helper()
	cmd := exec.Command(helm, args...)
	// helm keeps caches and settings under these; none of the developer's.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helm %v: %v\n%s", args, err, out)
	}
}
