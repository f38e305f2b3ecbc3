package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEndToEnd builds the folio binary, indexes a copy of testdata/articles,
// serves it on a free port, searches over HTTP, and stops the server with
// SIGTERM, as an operator would.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "folio")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	src := copyAllArticles(t)
	work := t.TempDir() // working directory: no folio.yaml there
	env := append(os.Environ(),
		"FOLIO_INDEX_PATH="+filepath.Join(work, "folio.bleve"),
		"FOLIO_INDEX_SOURCES=",
		"FOLIO_LOG_FORMAT=json",
	)

	indexCmd := exec.Command(bin, "index", src)
	indexCmd.Dir, indexCmd.Env = work, env
	out, err := indexCmd.CombinedOutput()
	if err != nil {
		t.Fatalf("folio index: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "indexed 207 new, 0 updated, 0 skipped") {
		t.Errorf("folio index output: %s", out)
	}

	addr := freeAddr(t)
	var stderr bytes.Buffer
	serve := exec.Command(bin, "serve")
	serve.Dir, serve.Env = work, append(env, "FOLIO_SERVER_ADDR="+addr, "FOLIO_SERVER_CORS_ALLOWED_ORIGINS=https://intranet.example")
	serve.Stderr = &stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- serve.Wait() }()
	t.Cleanup(func() { // on failure, do not leave the server running
		if serve.ProcessState == nil {
			serve.Process.Kill()
			<-exited
		}
	})

	base := "http://" + addr
	waitHealthy(t, base, exited)
	if id := firstHit(t, base+"/api/search?q=%22Diamond+Hexagon%22"); id != "ironclad-friendship-cambodia" {
		t.Errorf("first hit = %q, want ironclad-friendship-cambodia", id)
	}

	checkWeb(t, base) // web_e2e_test.go

	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("folio serve exited with %v after SIGTERM\nstderr:\n%s", err, &stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("folio serve still running 15s after SIGTERM\nstderr:\n%s", &stderr)
	}
	if !strings.Contains(stderr.String(), `"url":"`+base+`"`) {
		t.Errorf("serve did not log its URL %s:\n%s", base, &stderr)
	}
}
